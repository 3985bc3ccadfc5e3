"""Read files from git references without touching the work tree (``git show REF:PATH``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import LoadError


def run_git(args: list[str], cwd: Path) -> bytes:
    """Run git in ``cwd``; its last stderr line becomes a LoadError on failure."""
    return _git(args, cwd)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                              timeout=60)
    except FileNotFoundError:
        raise LoadError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise LoadError(f"git {' '.join(args)} took too long") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise LoadError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return proc.stdout


def repo_root(cwd: Path) -> Path:
    """The top of the git work tree containing ``cwd``."""
    return Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())


def is_ref(name: str, cwd: Path) -> bool:
    """Whether ``name`` names a commit in the repository at ``cwd``."""
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], cwd)
    except LoadError:
        return False
    return True


def read_file(ref: str, path: str, cwd: Path) -> bytes:
    """The bytes of ``path`` (relative to the repository root) at ``ref``."""
    return _git(["show", f"{ref}:{path}"], cwd)


def list_files(ref: str, path: str, cwd: Path) -> list[str]:
    """Files under ``path`` at ``ref``, relative to the repository root, sorted."""
    out = _git(["ls-tree", "-r", "--name-only", ref, "--", path], cwd)
    return sorted(line for line in out.decode().splitlines() if line)


def path_type(ref: str, path: str, cwd: Path) -> str | None:
    """``blob``, ``tree`` or None when ``path`` does not exist at ``ref``."""
    try:
        return _git(["cat-file", "-t", f"{ref}:{path}"], cwd).decode().strip()
    except LoadError:
        return None
