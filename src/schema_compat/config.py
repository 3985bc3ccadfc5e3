"""Configuration: compatibility policies, rule levels, waivers.

Read from ``schema-compat.toml`` (top-level keys) or ``[tool.schema-compat]`` in
``pyproject.toml``, searched from the working directory upwards::

    schemas = "schemas"
    examples = "examples"
    default-policy = "BACKWARD"
    formats = "assert"           # or "annotation": how messages are validated (formats.py)
    default-draft = "2020-12"    # the draft of schemas without $schema: 4, 6, 7, 2019-09, 2020-12
    ref-dirs = ["vendor/schemas"]  # local copies of documents referred to by URL (catalog.py)

    [policies]
    beatframe = "FULL_TRANSITIVE"

    [rules]                      # re-level or ignore rules: "error" | "warning" | "ignore"
    annotation-default-changed = "warning"

    [[waivers]]                  # accept one known break until a date
    rule = "enum-value-removed"  # and/or fingerprint = "…"
    schema = "statusclaim"
    path = "/properties/state/enum"
    reason = "no producer ever sent 'helping'"
    expires = 2027-01-31
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .drafts import DEFAULT_DRAFT, parse_draft
from .errors import ConfigError
from .formats import DEFAULT_FORMAT_MODE, FORMAT_MODES
from .verdict import POLICIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LEVELS = ("error", "warning", "ignore")


@dataclass(frozen=True)
class Waiver:
    """An accepted break: matched by rule (+ schema, + path) or by finding fingerprint."""

    reason: str
    expires: dt.date | None
    rule: str | None = None
    schema: str | None = None
    path: str | None = None
    fingerprint: str | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def matches(self, schema: str, rule: str, old_path: str | None, new_path: str | None,
                fingerprint: str) -> bool:
        if self.fingerprint is not None and self.fingerprint != fingerprint:
            return False
        if self.rule is not None and self.rule != rule:
            return False
        if self.schema is not None and self.schema != schema:
            return False
        return self.path is None or self.path in (old_path, new_path)

    def to_toml(self) -> str:
        """The waiver as a ``[[waivers]]`` table to paste into ``schema-compat.toml``."""
        lines = ["[[waivers]]"]
        for key in ("schema", "rule", "path", "fingerprint", "reason"):
            value = getattr(self, key)
            if value is None:
                continue
            if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                # A name from a file name that is not UTF-8: TOML cannot hold it, and the
                # fingerprint (which the name is part of) matches the finding without it.
                lines.append(f"# {key}: not valid UTF-8, matched by the fingerprint")
                continue
            lines.append(f"{key} = {_toml_string(value)}")
        if self.expires is not None:
            lines.append(f"expires = {self.expires.isoformat()}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Config:
    """Everything configurable, with the defaults a contracts repository expects."""

    root: Path = field(default_factory=Path.cwd)
    source: str | None = None
    schemas: Path = Path("schemas")
    examples: Path = Path("examples")
    default_policy: str = "BACKWARD"
    policies: dict[str, str] = field(default_factory=dict)
    rule_levels: dict[str, str] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    formats: str = DEFAULT_FORMAT_MODE
    # The draft of a schema without `$schema` (drafts.py); --default-draft overrides it.
    default_draft: int = DEFAULT_DRAFT
    # Catalog directories of referenced documents, relative to ``root`` (inside the repository).
    ref_dirs: tuple[Path, ...] = ()

    def policy(self, schema: str) -> str:
        """The compatibility policy of ``schema``."""
        return self.policies.get(schema, self.default_policy)

    def catalog_dirs(self) -> tuple[Path, ...]:
        """The ``ref-dirs`` catalog directories, as paths from the working directory."""
        return tuple(self.root / d for d in self.ref_dirs)

    def rule_level(self, rule: str) -> str:
        """``error`` (default), ``warning`` or ``ignore`` for a rule."""
        return self.rule_levels.get(rule, "error")


def _toml_string(value: str) -> str:
    """A TOML basic string that shows every character it holds.

    JSON's escapes are TOML's (quotes, backslashes, C0 controls); what JSON leaves raw and a
    terminal or a diff view would act on (DEL, C1 controls, bidirectional overrides, line
    separators) is escaped as well.
    """
    out = []
    for c in json.dumps(value, ensure_ascii=False):
        if c.isprintable():
            out.append(c)
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
    return "".join(out)


def fingerprint(schema: str, rule: str, old_path: str | None, new_path: str | None) -> str:
    """A stable id for a finding, for waivers: the same change keeps the same fingerprint."""
    text = f"{schema}|{rule}|{old_path or ''}|{new_path or ''}"
    # surrogatepass: a name from a file name that is not UTF-8 still has a fingerprint.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _policy(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.upper() not in POLICIES:
        raise ConfigError(f"{where}: policy must be one of {', '.join(POLICIES)}, got {value!r}")
    return value.upper()


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{where}: expires must be a date (YYYY-MM-DD), got {value!r}")


def _table(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {key} must be a table, got {type(value).__name__}")
    return value


def _text(value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value


def _directory(data: dict[str, Any], key: str, root: Path, source: str) -> Path:
    """A directory setting: a path relative to the configuration's directory that stays inside
    the repository, symbolic links followed (the configuration may come from the change under
    review, so it must not point the tool at other files of the machine)."""
    from .loading import is_within, lexical, repository_root

    value = _text(data.get(key, key), f"{source}: {key}")
    assert value is not None
    repo = repository_root(root)
    target = root / value
    if not (is_within(lexical(target), repo) and is_within(target.resolve(), repo)):
        raise ConfigError(f"{source}: {key} = {json.dumps(value)} leads outside the repository "
                          f"{repo}")
    return Path(value)


def _rule_ids() -> frozenset[str]:
    from .rules import RULES

    return frozenset(RULES)


def parse_config(data: dict[str, Any], *, root: Path, source: str) -> Config:
    """Build a Config from the parsed TOML table."""
    known = {"schemas", "examples", "default-policy", "policies", "rules", "waivers", "formats",
             "default-draft", "ref-dirs"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting {json.dumps(unknown[0])} (known: {', '.join(sorted(known))})")
    formats = data.get("formats", DEFAULT_FORMAT_MODE)
    if formats not in FORMAT_MODES:
        raise ConfigError(f"{source}: formats must be one of {', '.join(FORMAT_MODES)}, "
                          f"got {formats!r}")
    try:
        default_draft = parse_draft(data.get("default-draft", "2020-12"), "default-draft")
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    policies = {}
    for name, value in _table(data, "policies", source).items():
        policies[name] = _policy(value, f"{source}: policies.{name}")
    levels = {}
    # The rule registry (the rules package) is imported only to check names given here:
    # message validation reads the configuration too, and starts fast without it.
    known_rules = _rule_ids() if data.get("rules") or data.get("waivers") else frozenset()
    for rule, value in _table(data, "rules", source).items():
        if rule not in known_rules:
            raise ConfigError(f"{source}: rules.{rule}: no such rule (see `schema-compat rules`)")
        if value not in LEVELS:
            raise ConfigError(f"{source}: rules.{rule}: level must be one of {', '.join(LEVELS)}")
        levels[rule] = value
    waivers = []
    listed = data.get("waivers") or []
    if not isinstance(listed, list):
        raise ConfigError(f"{source}: waivers must be an array of tables ([[waivers]])")
    for i, w in enumerate(listed):
        where = f"{source}: waivers[{i}]"
        if not isinstance(w, dict):
            raise ConfigError(f"{where}: expected a table")
        for key in ("rule", "schema", "path", "fingerprint", "reason"):
            _text(w.get(key), f"{where}.{key}")
        if not w.get("reason"):
            raise ConfigError(f"{where}: a waiver needs a reason")
        if not (w.get("rule") or w.get("fingerprint")):
            raise ConfigError(f"{where}: a waiver needs a rule or a fingerprint")
        if w.get("rule") and w["rule"] not in known_rules:
            raise ConfigError(f"{where}: no such rule {w['rule']!r}")
        waivers.append(Waiver(reason=str(w["reason"]), expires=_date(w.get("expires"), where),
                              rule=w.get("rule"), schema=w.get("schema"), path=w.get("path"),
                              fingerprint=w.get("fingerprint")))
    return Config(
        root=root, source=source,
        schemas=_directory(data, "schemas", root, source),
        examples=_directory(data, "examples", root, source),
        default_policy=_policy(data.get("default-policy", "BACKWARD"), f"{source}: default-policy"),
        policies=policies, rule_levels=levels, waivers=tuple(waivers), formats=formats,
        default_draft=default_draft, ref_dirs=_ref_dirs(data, root, source))


def _ref_dirs(data: dict[str, Any], root: Path, source: str) -> tuple[Path, ...]:
    """``ref-dirs``: catalog directories, each inside the repository as ``schemas`` is."""
    value = data.get("ref-dirs", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: ref-dirs must be a directory or an array of directories, "
                          f"got {value!r}")
    return tuple(_directory({"ref-dirs": v}, "ref-dirs", root, source) for v in value)


def load_config(start: Path | None = None, *, path: Path | None = None) -> Config:
    """Find and read the configuration (defaults when there is none)."""
    if path is not None:
        return _read(path)
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "schema-compat.toml"
        if candidate.is_file():
            return _read(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            table = _tool_table(_toml(pyproject), pyproject)
            if table is not None:
                return parse_config(table, root=directory, source=str(pyproject))
        if (directory / ".git").exists():
            break
    return Config(root=here)


# A configuration file is a few hundred bytes; one far larger is not read.
MAX_CONFIG_BYTES = 1024 * 1024


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MiB; not a configuration")
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark is skipped, as in JSON files
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 (byte 0x{raw[exc.start]:02x} on "
                          f"line {line})") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    return data


def _tool_table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """``[tool.schema-compat]`` of a pyproject.toml, if there is one."""
    tool = data.get("tool", {})
    table = tool.get("schema-compat") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.schema-compat must be a table")
    return table


def _read(path: Path) -> Config:
    data = _toml(path)
    if path.name == "pyproject.toml":
        data = _tool_table(data, path) or {}
    return parse_config(data, root=path.parent.resolve(), source=str(path))
