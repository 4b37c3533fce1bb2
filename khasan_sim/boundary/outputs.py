"""Where a command may write: never over one of its inputs, never over another kind of file unasked.

Every command that writes a file the user named (``run --json``, ``compare --json/--html``,
``export --out``, ``map --png``, ``scenario schema --out``, ``calibrate --out/--report``,
``exercise class --out``, ``play --screenshot``, ``study salvage --out``) checks the path
with :func:`check_output` *before* it does any work:

* ``-`` (standard output) is always fine;
* a folder, or a path under a file, is refused naming the path given;
* one of the command's own inputs (the study, scenario, variant, record, parameter
  files, map) is refused, whatever the spelling (``./s.sqlite``, a symbolic or hard
  link): writing there would destroy what is being read;
* an existing file of another kind (a study, a scenario, a picture, where JSON is to be
  written) is refused unless ``--force`` is given; a file of the same kind is replaced,
  as it always was (writing ``run7.json`` again).

The write itself is atomic (:mod:`khasan_sim.io`): a temporary file beside the target,
then :func:`os.replace`; an interrupted command leaves the old file whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from khasan_sim.io import OutputError, check_writable

__all__ = ["KINDS", "OutputError", "check_output", "file_kind", "same_file"]

KINDS: dict[str, str] = {
    "json": "JSON",
    "jsonl": "JSON lines",
    "csv": "CSV table",
    "parquet": "Parquet table",
    "html": "HTML report",
    "png": "PNG picture",
    "yaml": "YAML file (a scenario, variant, parameter or exercise file?)",
    "markdown": "Markdown text",
    "study": "study file (SQLite)",
    "text": "text file",
    "binary": "binary file",
}
"""The kinds of file a command writes or finds, in words."""

_SAME_KIND = {
    "json": {"json", "jsonl"},
    "jsonl": {"json", "jsonl"},
    "csv": {"csv", "text"},
    "markdown": {"markdown", "text"},
}
_SUFFIX_KIND = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".png": "png",
    ".parquet": "parquet",
    ".sqlite": "study",
    ".db": "study",
}


def file_kind(path: Path) -> str | None:
    """Return the kind of an existing file by its first bytes (then its name), or None when empty."""
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError:
        return "binary"
    if not head.strip():
        return None
    if head.startswith(b"SQLite format 3\x00"):
        return "study"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"PAR1"):
        return "parquet"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head[:-4].decode("utf-8")  # a character cut at the end of the sample
        except UnicodeDecodeError:
            return "binary"
    by_name = _SUFFIX_KIND.get(path.suffix.lower())
    if by_name is not None and by_name not in ("png", "parquet", "study"):
        return by_name
    first = text.lstrip()[:1]
    if first in "{[":
        return "json"
    if first == "<":
        return "html"
    return "text"


def same_file(a: Path, b: Path) -> bool:
    """Return True when *a* and *b* are the same file (any spelling, links included)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_output(
    path: str | os.PathLike[str] | None,
    *,
    kind: str,
    inputs: Iterable[tuple[str, str | os.PathLike[str] | None]] = (),
    force: bool = False,
    option: str = "--out",
) -> None:
    """Check, before any work, that the command may write *path*.

    Args:
        path: The path the user gave (None or ``-``: nothing to check).
        kind: What will be written (a key of :data:`KINDS`).
        inputs: ``(what, path)`` of everything the command reads (None paths skipped).
        force: Replace an existing file of another kind.
        option: The option that named the path, for messages.

    Raises:
        OutputError: The path is a folder or under a file, is one of the inputs, or
            holds another kind of file and *force* is False.
    """
    if path is None or str(path) == "-":
        return
    target = Path(path)
    shown = f"{option} {path}"
    try:
        check_writable(target)
    except OutputError as exc:
        raise OutputError(f"{shown}: {str(exc).split(': ', 1)[1]}") from None
    for what, inp in inputs:
        if inp is None or str(inp) == "-":
            continue
        for candidate in _with_companions(Path(inp), what):
            if same_file(target, candidate):
                msg = f"{shown}: is the {what} this command reads ({inp}); writing there would destroy it (choose another path)"
                raise OutputError(msg)
    if force or not target.exists():
        return
    found = file_kind(target)
    if found is None or found == kind or found in _SAME_KIND.get(kind, {kind}):
        return
    msg = f"{shown}: already holds a {KINDS.get(found, found)}, not a {KINDS.get(kind, kind)}; add --force to replace it, or choose another path"
    raise OutputError(msg)


def _with_companions(path: Path, what: str) -> list[Path]:
    """The input and, for a study, the SQLite files that go with it (-wal, -shm, -journal, .lock)."""
    if "study" not in what:
        return [path]
    return [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal", ".lock"))]
