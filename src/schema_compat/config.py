"""Configuration: compatibility policies, rule levels, waivers.

Read from ``schema-compat.toml`` (top-level keys) or ``[tool.schema-compat]`` in
``pyproject.toml``, searched from the working directory upwards::

    schemas = "schemas"
    examples = "examples"
    default-policy = "BACKWARD"
    formats = "assert"           # or "annotation": how messages are validated (formats.py)

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
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

    def policy(self, schema: str) -> str:
        """The compatibility policy of ``schema``."""
        return self.policies.get(schema, self.default_policy)

    def level(self, rule: str) -> str:
        """``error`` (default), ``warning`` or ``ignore`` for a rule."""
        return self.rule_levels.get(rule, "error")


def fingerprint(schema: str, rule: str, old_path: str | None, new_path: str | None) -> str:
    """A stable id for a finding, for waivers: the same change keeps the same fingerprint."""
    text = f"{schema}|{rule}|{old_path or ''}|{new_path or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


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


def parse_config(data: dict[str, Any], *, root: Path, source: str) -> Config:
    """Build a Config from the parsed TOML table."""
    known = {"schemas", "examples", "default-policy", "policies", "rules", "waivers", "formats"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    formats = data.get("formats", DEFAULT_FORMAT_MODE)
    if formats not in FORMAT_MODES:
        raise ConfigError(f"{source}: formats must be one of {', '.join(FORMAT_MODES)}, "
                          f"got {formats!r}")
    policies = {}
    for name, value in (data.get("policies") or {}).items():
        policies[name] = _policy(value, f"{source}: policies.{name}")
    levels = {}
    from .rules import RULES

    for rule, value in (data.get("rules") or {}).items():
        if rule not in RULES:
            raise ConfigError(f"{source}: rules.{rule}: no such rule (see `schema-compat rules`)")
        if value not in LEVELS:
            raise ConfigError(f"{source}: rules.{rule}: level must be one of {', '.join(LEVELS)}")
        levels[rule] = value
    waivers = []
    for i, w in enumerate(data.get("waivers") or []):
        where = f"{source}: waivers[{i}]"
        if not isinstance(w, dict):
            raise ConfigError(f"{where}: expected a table")
        if not w.get("reason"):
            raise ConfigError(f"{where}: a waiver needs a reason")
        if not (w.get("rule") or w.get("fingerprint")):
            raise ConfigError(f"{where}: a waiver needs a rule or a fingerprint")
        if w.get("rule") and w["rule"] not in RULES:
            raise ConfigError(f"{where}: no such rule {w['rule']!r}")
        waivers.append(Waiver(reason=str(w["reason"]), expires=_date(w.get("expires"), where),
                              rule=w.get("rule"), schema=w.get("schema"), path=w.get("path"),
                              fingerprint=w.get("fingerprint")))
    return Config(
        root=root, source=source,
        schemas=Path(data.get("schemas", "schemas")),
        examples=Path(data.get("examples", "examples")),
        default_policy=_policy(data.get("default-policy", "BACKWARD"), f"{source}: default-policy"),
        policies=policies, rule_levels=levels, waivers=tuple(waivers), formats=formats)


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
            table = _toml(pyproject).get("tool", {}).get("schema-compat")
            if table is not None:
                return parse_config(table, root=directory, source=str(pyproject))
        if (directory / ".git").exists():
            break
    return Config(root=here)


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _read(path: Path) -> Config:
    data = _toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("schema-compat", {})
    return parse_config(data, root=path.parent.resolve(), source=str(path))
