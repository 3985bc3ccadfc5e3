"""Dependencies earn their place: every third-party module the package imports is declared in
pyproject.toml, and every declared dependency is imported somewhere."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions

from conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s<>=;\[!~]", r, maxsplit=1)[0].lower().replace("_", "-")
            for r in requirements}


def _imports(path_glob: str) -> dict[str, set[str]]:
    """Top-level third-party modules imported, by file."""
    stdlib = set(sys.stdlib_module_names)
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / "src").glob(path_glob)):
        for node in ast.walk(ast.parse(path.read_text())):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                if top not in stdlib and top != "schema_compat":
                    found.setdefault(top, set()).add(path.name)
    return found


def _distribution(module: str) -> str:
    dists = packages_distributions().get(module, [module])
    return dists[0].lower().replace("_", "-")


def test_every_import_is_declared_and_every_dependency_used() -> None:
    core = _names(PROJECT["dependencies"])
    dask = _names(PROJECT["optional-dependencies"]["dask"])
    imported = _imports("**/*.py")
    used: set[str] = set()
    for module, files in imported.items():
        dist = _distribution(module)
        used.add(dist)
        if dist in core:
            continue
        # The Dask engine's modules only, and only with the extra installed.
        assert dist in dask or module in ("dask", "distributed"), (module, sorted(files))
        assert files <= {"dask_engine.py", "_partitioned.py"}, (module, sorted(files))
    # tomli is Python 3.10's tomllib, imported under that version only.
    unused = sorted(core - used - {"tomli"})
    assert not unused, f"declared but never imported: {unused}"
