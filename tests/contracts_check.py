#!/usr/bin/env python3
"""Check the BACKBEAT contracts: schemas/<name>/<semver>.json and examples/<name>/<semver>/.

Standalone script (not a pytest module). Usage:

    python tests/contracts_check.py [REPO_ROOT]

Prints one line per schema version and per version step, then every problem found; exits 1 if
there is any problem, 0 otherwise. Messages are validated with jsonschema_rs (ECMA-262 regular
expressions) with format assertion on, as BACKBEAT validators do.

What it checks:
- every schema: draft 2020-12 `$schema`, valid against the 2020-12 metaschema (jsonschema_rs and
  python-jsonschema), `$id` = https://schemas.backbeat.invalid/<name>/<semver>.json, `type` const =
  backbeat.<name>.v<major>, a title, a description and `examples` (all valid, one of them using
  every top-level property), only local `$ref`s, a description on every property and `$defs`
  entry, closed objects;
- every example file: one pretty-printed JSON object without duplicate keys; valid/ ones validate;
  invalid/ ones give exactly ONE error whose keyword and instance location match the file name
  `<keyword>--<where>[--<slug>].json`; a `format` case is valid when formats are not asserted; a
  `trailing-newline` case is one that Python's `re.search` would wrongly accept; at least 8 valid
  and 8 invalid per version, and a `pattern--hlc--trailing-newline` case where there is an `hlc`;
- every step between consecutive versions matches its semver bump: PATCH changes annotations only;
  MINOR keeps the `type` const, keeps every older valid example valid and every newer invalid
  example invalid, and accepts at least one newer example the older version rejects; MAJOR bumps
  the `type` const and rejects at least one older valid example even after its `type` is updated.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema_rs
from jsonschema import Draft202012Validator

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://schemas.backbeat.invalid"
NAMES = ("beatframe", "statusclaim", "barreport")
MIN_VERSIONS = 4
MIN_EXAMPLES = 8
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
KEYWORDS = {
    "type", "const", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "required", "additionalProperties", "format", "minItems",
    "maxItems", "uniqueItems", "minProperties", "maxProperties", "propertyNames", "contains",
    "dependentRequired", "unevaluatedProperties", "unevaluatedItems", "not", "anyOf", "oneOf",
    "falseSchema",
}
# Keywords that never change which instances are valid (a PATCH may change only these).
ANNOTATIONS = {"title", "description", "examples", "$comment", "deprecated", "default",
               "readOnly", "writeOnly"}
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SCHEMA_ONE = {"items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "not",
              "if", "then", "else", "contains", "propertyNames"}

problems: list[str] = []


def problem(where: object, text: str) -> None:
    problems.append(f"{where}: {text}")


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"duplicate key(s) {dup}")
    return dict(pairs)


def load(path: Path):
    """The JSON object in `path`, or None (with a problem recorded)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except (OSError, ValueError) as exc:
        problem(path, f"not loadable JSON: {exc}")
        return None
    if not isinstance(data, dict):
        problem(path, "is not one JSON object")
        return None
    if not text.endswith("\n") or text.count("\n") < 2:
        problem(path, "is not pretty-printed (expected several lines and a final newline)")
    return data


def walk(schema, pointer=""):
    """Yield (pointer, subschema) for every subschema, following the keywords that hold schemas."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from walk(sub, f"{pointer}/{key}/{name}")
        elif key in SCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from walk(sub, f"{pointer}/{key}/{i}")
        elif key in SCHEMA_ONE:
            yield from walk(value, f"{pointer}/{key}")


def strip_annotations(schema):
    """The schema without annotation keywords (property names are left alone)."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ANNOTATIONS:
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {n: strip_annotations(s) for n, s in value.items()}
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [strip_annotations(s) for s in value]
        elif key in SCHEMA_ONE:
            out[key] = strip_annotations(value)
        else:
            out[key] = value
    return out


def location(err) -> str:
    """Instance location of an error, `.`-separated; for required/additionalProperties it names
    the missing or extra property; `root` for the message itself."""
    segments = [str(s) for s in err.instance_path]
    name = err.kind.name
    if name == "required":
        segments.append(str(err.kind.property))
    elif name == "additionalProperties":
        extra = [str(p) for p in err.kind.unexpected]
        segments.append(extra[0] if len(extra) == 1 else "{" + ",".join(extra) + "}")
    return ".".join(segments) or "root"


def describe(errors) -> str:
    return "; ".join(f"[{e.kind.name} at {location(e)}] {e.message}" for e in errors)


class Version:
    def __init__(self, name: str, ver: str, path: Path, schema: dict):
        self.name, self.ver, self.path, self.schema = name, ver, path, schema
        self.key = tuple(int(x) for x in ver.split("."))
        self.validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        self.lenient = jsonschema_rs.validator_for(schema, validate_formats=False)
        self.valid: dict[str, dict] = {}
        self.invalid: dict[str, dict] = {}

    @property
    def type_const(self):
        return self.schema.get("properties", {}).get("type", {}).get("const")


def check_schema(name: str, path: Path) -> Version | None:
    schema = load(path)
    if schema is None:
        return None
    ver = path.stem
    major = int(ver.split(".")[0])
    if schema.get("$schema") != DRAFT:
        problem(path, f"$schema is {schema.get('$schema')!r}, expected {DRAFT}")
    try:
        jsonschema_rs.meta.validate(schema)
    except Exception as exc:  # jsonschema_rs.ValidationError or ReferencingError
        problem(path, f"not valid against the 2020-12 metaschema (jsonschema_rs): {exc}")
        return None
    errors = sorted(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema), key=str)
    for err in errors:
        problem(path, f"not valid against the 2020-12 metaschema (jsonschema): {err.message}")
    if errors:
        return None
    expected_id = f"{ID_BASE}/{name}/{ver}.json"
    if schema.get("$id") != expected_id:
        problem(path, f"$id is {schema.get('$id')!r}, expected {expected_id!r}")
    for key in ("title", "description"):
        if not isinstance(schema.get(key), str) or not schema[key].strip():
            problem(path, f"missing a non-empty {key}")
    remote = False
    for pointer, sub in walk(schema):
        ref = sub.get("$ref")
        if ref is not None and not str(ref).startswith("#"):
            problem(path, f"{pointer}/$ref {ref!r} is not local")
            remote = True
        for key in ("properties", "$defs"):
            for prop, prop_schema in (sub.get(key) or {}).items():
                if not isinstance(prop_schema, dict) or not str(prop_schema.get("description", "")).strip():
                    problem(path, f"{pointer}/{key}/{prop} has no description")
        if "properties" in sub and sub.get("additionalProperties") is not False:
            problem(path, f"{pointer or '/'} is not closed (additionalProperties: false)")
    if remote:  # never let the validator fetch anything
        return None
    try:
        version = Version(name, ver, path, schema)
    except Exception as exc:
        problem(path, f"does not compile with jsonschema_rs: {exc}")
        return None
    expected_const = f"backbeat.{name}.v{major}"
    if version.type_const != expected_const:
        problem(path, f"type const is {version.type_const!r}, expected {expected_const!r}")
    examples = schema.get("examples")
    if not isinstance(examples, list) or not examples:
        problem(path, "has no examples")
    else:
        top = set(schema.get("properties", {}))
        for i, example in enumerate(examples):
            errs = list(version.validator.iter_errors(example))
            if errs:
                problem(path, f"examples[{i}] is invalid: {describe(errs)}")
        if not any(isinstance(e, dict) and top <= set(e) for e in examples):
            problem(path, "no entry of examples is a full message (using every property)")
    return version


def check_examples(version: Version, root: Path) -> None:
    base = root / "examples" / version.name / version.ver
    has_hlc = "hlc" in version.schema.get("properties", {})
    for kind in ("valid", "invalid"):
        files = sorted((base / kind).glob("*.json"))
        if len(files) < MIN_EXAMPLES:
            problem(base / kind, f"{len(files)} examples, expected at least {MIN_EXAMPLES}")
        for path in files:
            message = load(path)
            if message is None:
                continue
            (version.valid if kind == "valid" else version.invalid)[path.stem] = message
            errors = list(version.validator.iter_errors(message))
            if kind == "valid":
                if errors:
                    problem(path, f"should be valid: {describe(errors)}")
                continue
            check_invalid(path, message, errors, version)
    if has_hlc and "pattern--hlc--trailing-newline" not in version.invalid:
        problem(base / "invalid", "missing pattern--hlc--trailing-newline.json")


def check_invalid(path: Path, message: dict, errors: list, version: Version) -> None:
    parts = path.stem.split("--")
    if len(parts) not in (2, 3) or not all(parts):
        problem(path, "name is not <keyword>--<where>[--<slug>].json")
        return
    keyword, where = parts[0], parts[1]
    if keyword not in KEYWORDS:
        problem(path, f"{keyword!r} is not a JSON Schema keyword")
    if len(errors) != 1:
        problem(path, f"expected exactly one error ({keyword} at {where}), got {len(errors)}: {describe(errors)}")
        return
    err = errors[0]
    got = (err.kind.name, location(err))
    if got != (keyword, where):
        problem(path, f"expected {keyword} at {where}, got {got[0]} at {got[1]}: {err.message}")
        return
    if keyword == "format" and not version.lenient.is_valid(message):
        problem(path, "has defects besides the format (invalid even without format assertion)")
    if len(parts) == 3 and parts[2] == "trailing-newline":
        value = err.instance
        if not (isinstance(value, str) and value.endswith("\n") and re.search(err.kind.pattern, value)):
            problem(path, "is not a value ending in a newline that Python's re.search accepts")


def check_steps(name: str, versions: list[Version]) -> list[str]:
    lines = []
    kinds = set()
    if versions and versions[0].ver != "1.0.0":
        problem(f"schemas/{name}", f"first version is {versions[0].ver}, expected 1.0.0")
    for old, new in zip(versions, versions[1:]):
        (a, b, c), (x, y, z) = old.key, new.key
        step = f"{name} {old.ver} -> {new.ver}"
        if (x, y, z) == (a + 1, 0, 0):
            kind = "major"
        elif (x, y, z) == (a, b + 1, 0):
            kind = "minor"
        elif (x, y, z) == (a, b, c + 1):
            kind = "patch"
        else:
            problem(step, "is not a single semver increment")
            continue
        kinds.add(kind)
        before = {k: v for k, v in strip_annotations(old.schema).items() if k != "$id"}
        after = {k: v for k, v in strip_annotations(new.schema).items() if k != "$id"}
        if kind == "patch":
            if before != after:
                problem(step, "PATCH changes more than annotations")
            elif {k: v for k, v in old.schema.items() if k != "$id"} == {k: v for k, v in new.schema.items() if k != "$id"}:
                problem(step, "PATCH changes nothing")
            lines.append(f"{step}  patch: annotations only")
            continue
        if before == after:
            problem(step, f"{kind.upper()} changes annotations only")
        if kind == "minor":
            if new.type_const != old.type_const:
                problem(step, "MINOR changes the type const")
            lost = [n for n, m in old.valid.items() if not new.validator.is_valid(m)]
            if lost:
                problem(step, f"MINOR rejects older valid examples {lost}")
            regained = [n for n, m in new.invalid.items() if old.validator.is_valid(m)]
            if regained:
                problem(step, f"MINOR: newer invalid examples {regained} are valid under {old.ver}")
            gained = sorted(n for n, m in new.valid.items() if not old.validator.is_valid(m))
            if not gained:
                problem(step, f"MINOR: no valid {new.ver} example is rejected by {old.ver}")
            lines.append(f"{step}  minor: {len(old.valid)}/{len(old.valid)} older valid kept; "
                         f"newly valid: {', '.join(gained)}")
        else:
            if new.type_const == old.type_const:
                problem(step, "MAJOR keeps the type const")
            broken = sorted(n for n, m in old.valid.items()
                            if not new.validator.is_valid({**m, "type": new.type_const}))
            if not broken:
                problem(step, "MAJOR: every older valid example is still valid once its type is updated")
            lines.append(f"{step}  major: type {old.type_const} -> {new.type_const}; "
                         f"older valid examples rejected even with the new type: {', '.join(broken)}")
    if len(versions) < MIN_VERSIONS:
        problem(f"schemas/{name}", f"{len(versions)} versions, expected at least {MIN_VERSIONS}")
    for kind in ("patch", "minor", "major"):
        if kind not in kinds:
            problem(f"schemas/{name}", f"history has no {kind.upper()} step")
    return lines


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1]
    for name in NAMES:
        schema_dir = root / "schemas" / name
        paths = sorted(schema_dir.glob("*.json"))
        versions = []
        for path in paths:
            if not SEMVER.match(path.stem):
                problem(path, "file name is not <semver>.json")
                continue
            version = check_schema(name, path)
            if version is not None:
                check_examples(version, root)
                versions.append(version)
                print(f"{name} {version.ver:<6} {version.type_const:<26} "
                      f"{len(version.valid):>3} valid {len(version.invalid):>3} invalid examples")
        known = {p.stem for p in paths}
        for d in sorted((root / "examples" / name).glob("*")):
            if d.name not in known:
                problem(d, "examples for a schema version that does not exist")
        versions.sort(key=lambda v: v.key)
        for line in check_steps(name, versions):
            print(line)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print(f"- {p}")
        return 1
    print("\nOK: all contract checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
