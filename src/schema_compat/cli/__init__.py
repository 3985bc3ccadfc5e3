"""The command lines: ``schema-compat`` (``commands.py``) and ``backbeat-validate`` (``backbeat.py``).

Nothing is imported here eagerly, so ``backbeat-validate`` loads only what it uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._runner import run
    from .backbeat import backbeat_app, backbeat_validate_main
    from .commands import app, main

_LAZY = {"app": "commands", "main": "commands", "backbeat_app": "backbeat",
         "backbeat_validate_main": "backbeat", "run": "_runner"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'schema_compat.cli' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = ["app", "backbeat_app", "backbeat_validate_main", "main", "run"]
