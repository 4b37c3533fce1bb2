"""Atomic file writes: a reader never sees a half-written file.

The data goes to a temporary file in the destination's folder (so the final rename
stays on one file system), is flushed and fsynced, and then replaces the target with
:func:`os.replace`, which is atomic on POSIX and Windows.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from khasan_sim.errors import KhasanSimError


class OutputError(KhasanSimError, OSError):
    """A file cannot be written where it was asked for; the message names the path the user gave."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def check_writable(target: Path) -> None:
    """Refuse, naming *target*, a path that is a folder or lies under a file.

    Raises:
        OutputError: *target* is a folder, or one of the folders above it is a file.
    """
    if target.is_dir():
        raise OutputError(f"{target}: is a folder (expected the path of a file to write)")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{target}: cannot write here ({parent} is a file, not a folder)")
            break


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _umask_mode()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write *data* to *path* atomically, creating parent folders as needed.

    Args:
        path: The destination file.
        data: The bytes to write.

    Returns:
        The destination path.

    Raises:
        OSError: The folder cannot be created or written; the target is left untouched.
    """
    target = Path(path)
    try:
        check_writable(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write here ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        with contextlib.suppress(OSError):
            os.chmod(tmp_name, _FILE_MODE)
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"{target}: cannot write here ({exc.strerror or exc})") from None
        raise
    _fsync_dir(target.parent)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write *text* to *path* atomically (see :func:`atomic_write_bytes`).

    Args:
        path: The destination file.
        text: The text to write; newlines are written as given.
        encoding: The text encoding.

    Returns:
        The destination path.
    """
    return atomic_write_bytes(path, text.encode(encoding))


def _fsync_dir(folder: Path) -> None:
    """Flush the folder entry so the rename survives a crash (POSIX only; best effort)."""
    if os.name != "posix":  # pragma: no cover
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
