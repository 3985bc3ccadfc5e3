"""The documented Python API, used as the package docstring shows, in a fresh interpreter."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import schema_compat
from conftest import REPO

# After the engine and every submodule are imported, `schema_compat.diff` must still be the
# function: a submodule of the same name would replace it on the package once imported.
_SCRIPT = """
import importlib, json, pkgutil, sys
import schema_compat
for info in pkgutil.walk_packages(schema_compat.__path__, "schema_compat."):
    if info.name.endswith(("dask_engine", "__main__")):
        continue  # heavy optional imports / runs the command line; neither name clashes
    importlib.import_module(info.name)
(result,) = schema_compat.diff(sys.argv[1], sys.argv[2])
message = json.load(open(sys.argv[3], encoding="utf-8"))
valid = schema_compat.validate_message(message, "schemas")
print(json.dumps({"backward": result.backward.status, "forward": result.forward.status,
                  "check": callable(schema_compat.check), "valid": list(valid)}))
"""


def test_public_names_are_not_shadowed_by_submodules() -> None:
    modules = {info.name for info in pkgutil.iter_modules(schema_compat.__path__)}
    assert not modules & set(schema_compat.__all__), "a public name is also a submodule"


def test_documented_api_in_a_fresh_interpreter(tmp_path) -> None:  # type: ignore[no-untyped-def]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "string"}}}))
    new.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "integer"}}}))
    example = REPO / "examples" / "beatframe" / "2.0.0" / "valid" / "beats-per-bar-8.json"
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(old), str(new), str(example)], cwd=REPO,
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"backward": "breaking", "forward": "breaking",
                                      "check": True, "valid": []}
