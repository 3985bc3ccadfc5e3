"""Read files from git references without touching the work tree (``git cat-file blob REF:PATH``)."""

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


def _ref(ref: str) -> str:
    """``ref``, refused when git would read it as an option (``--output=…``)."""
    if ref.startswith("-"):
        raise LoadError(f"{ref}: not a git reference (it starts with '-')")
    return ref


def repo_root(cwd: Path) -> Path:
    """The top of the git work tree containing ``cwd``."""
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    except LoadError as exc:
        if "not a git repository" in str(exc):
            raise LoadError(f"{cwd}: not inside a git repository (git references are read "
                            "from the repository the command runs in)") from None
        raise


def in_repository(cwd: Path) -> bool:
    """Whether ``cwd`` lies in a git work tree (git installed and working)."""
    try:
        repo_root(cwd)
    except LoadError:
        return False
    return True


def is_ref(name: str, cwd: Path) -> bool:
    """Whether ``name`` names a commit in the repository at ``cwd``."""
    if name.startswith("-"):
        return False
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], cwd)
    except LoadError:
        return False
    return True


def read_file(ref: str, path: str, cwd: Path) -> bytes:
    """The bytes of ``path`` (relative to the repository root) at ``ref``.

    As stored: ``cat-file blob`` runs no conversion filter, and a symbolic link is its target's
    name, never the file it points to. A blob over the size limit of every document is refused
    before it is read.
    """
    from ._json import MAX_DOCUMENT_BYTES

    spec = f"{_ref(ref)}:{path}"
    size = _git(["cat-file", "-s", spec], cwd).strip()
    if int(size or 0) > MAX_DOCUMENT_BYTES:
        raise LoadError(f"git:{spec}: {int(size) / 1_048_576:.1f} MiB, over the limit of "
                        f"{MAX_DOCUMENT_BYTES / 1_048_576:.0f} MiB")
    return _git(["cat-file", "blob", spec], cwd)


def list_files(ref: str, path: str, cwd: Path) -> list[tuple[str, str]]:
    """Entries under ``path`` at ``ref``: (kind, path relative to the repository root), sorted
    by path. The kind is ``file``, ``link`` (a symbolic link) or ``submodule``."""
    out = _git(["ls-tree", "-r", "-z", _ref(ref), "--", path], cwd)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode = meta.split(b" ", 1)[0]
        kind = "link" if mode == b"120000" else "submodule" if mode == b"160000" else "file"
        entries.append((kind, name.decode("utf-8", "surrogateescape")))
    return sorted(entries, key=lambda entry: entry[1])


def path_type(ref: str, path: str, cwd: Path) -> str | None:
    """``blob``, ``tree`` or None when ``path`` does not exist at ``ref``."""
    spec = f"{_ref(ref)}:{path}"
    try:
        return _git(["cat-file", "-t", spec], cwd).decode().strip()
    except LoadError:
        return None
