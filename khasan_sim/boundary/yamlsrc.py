"""Safe YAML loading that remembers where every value came from.

Only ``yaml.SafeLoader`` is used: the document is composed into nodes with
:func:`yaml.compose`-style parsing, scalars are built by the safe constructor, and
mappings and sequences are built here so that

* every value knows its file and 1-based line (an :class:`Origin`), kept on its
  parent container (:class:`YDict` / :class:`YList`), so a value moved or replaced
  by a variant keeps pointing at the file that set it;
* a key repeated in one mapping is an error naming both lines (PyYAML silently
  keeps the last one);
* mapping keys stay the text written in the file (``on:`` is the key ``"on"``,
  not ``True``; ``45mm:`` is ``"45mm"``).

A path into a document is a tuple of keys and indices, ``("units", 3, "men")``,
printed as ``units[3].men`` by :func:`format_path`.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from khasan_sim.errors import ScenarioError

PathKey = tuple[str | int, ...]

_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})

MAX_VALUES = 2_000_000
"""Most values one document may expand to (aliases can multiply a small file)."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists one document may have."""

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file read as YAML (the historical scenario is about 60 kB)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was written: a file and a 1-based line."""

    file: str
    line: int


class YDict(dict[str, Any]):
    """A mapping read from YAML: a plain dict that also knows where each entry came from.

    Attributes:
        origin: Where the mapping itself starts.
        key_origins: For each key, where the entry (its key) was written.
    """

    __slots__ = ("key_origins", "origin")

    def __init__(self, origin: Origin) -> None:
        super().__init__()
        self.origin = origin
        self.key_origins: dict[str, Origin] = {}

    def set(self, key: str, value: Any, origin: Origin) -> None:
        """Set *key* to *value*, recording *origin* as where it was set."""
        self[key] = value
        self.key_origins[key] = origin

    def delete(self, key: str) -> None:
        """Remove *key* and its origin."""
        del self[key]
        self.key_origins.pop(key, None)


class YList(list[Any]):
    """A sequence read from YAML: a plain list that also knows where each item came from.

    Attributes:
        origin: Where the sequence itself starts.
        item_origins: Where each item was written, index for index.
    """

    __slots__ = ("item_origins", "origin")

    def __init__(self, origin: Origin) -> None:
        super().__init__()
        self.origin = origin
        self.item_origins: list[Origin] = []

    def push(self, value: Any, origin: Origin) -> None:
        """Append *value*, recording *origin*."""
        self.append(value)
        self.item_origins.append(origin)

    def put(self, index: int, value: Any, origin: Origin) -> None:
        """Replace the item at *index*, recording *origin*."""
        self[index] = value
        self.item_origins[index] = origin

    def drop(self, index: int) -> None:
        """Remove the item at *index* and its origin."""
        del self[index]
        del self.item_origins[index]


def format_path(path: PathKey) -> str:
    """Return a path as text: ``("units", 3, "men")`` -> ``units[3].men``."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def _origin(file: str, node: yaml.Node) -> Origin:
    return Origin(file, node.start_mark.line + 1)


def _yaml_error(file: str, exc: yaml.YAMLError) -> ScenarioError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    words = f"{context}, {problem}" if context else str(problem)
    msg = f"not valid YAML ({' '.join(words.split())})"
    return ScenarioError(file, line, "", msg)


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML *text* safely into YDict/YList/scalars that remember their lines.

    Args:
        text: The YAML text.
        file: The file name to put in origins and error messages.

    Returns:
        The document: a :class:`YDict`, a :class:`YList`, a scalar, or None when empty.

    Raises:
        ScenarioError: The text is not YAML, has more than one document, or repeats a key.
    """
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a character YAML does not allow (a NUL byte, say)
        raise _yaml_error(file, exc) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        return _build(loader, root, file, (), [0])
    except yaml.YAMLError as exc:
        raise _yaml_error(file, exc) from None
    except RecursionError:
        msg = f"the document is nested too deep (more than {MAX_DEPTH} levels)"
        raise ScenarioError(file, None, "", msg) from None
    finally:
        loader.dispose()


def _build(
    loader: yaml.SafeLoader, node: yaml.Node, file: str, path: PathKey, count: list[int]
) -> Any:
    """Turn a composed node into YDict/YList/scalars (safe constructor for scalars)."""
    count[0] += 1
    if len(path) > MAX_DEPTH:
        msg = f"the document is nested more than {MAX_DEPTH} levels deep"
        raise ScenarioError(file, _origin(file, node).line, format_path(path[:8]) + " ...", msg)
    if count[0] > MAX_VALUES:
        msg = f"the document expands to more than {MAX_VALUES} values (aliases nested too deep?)"
        raise ScenarioError(file, _origin(file, node).line, format_path(path), msg)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        msg = (
            f"not valid YAML (tag {node.tag} is not allowed: only plain mappings, lists and values)"
        )
        raise ScenarioError(file, _origin(file, node).line, format_path(path), msg)
    if isinstance(node, yaml.MappingNode):
        out = YDict(_origin(file, node))
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                msg = "merge keys (<<) are not supported; write the fields out"
                raise ScenarioError(file, _origin(file, key_node).line, format_path(path), msg)
            if not isinstance(key_node, yaml.ScalarNode):
                msg = "a key must be a plain word, not a list or mapping"
                raise ScenarioError(file, _origin(file, key_node).line, format_path(path), msg)
            key = str(key_node.value)
            where = _origin(file, key_node)
            if key in out:
                first = out.key_origins[key].line
                msg = f"duplicate key '{key}' (first at line {first})"
                raise ScenarioError(file, where.line, format_path((*path, key)), msg)
            out.set(key, _build(loader, value_node, file, (*path, key), count), where)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = YList(_origin(file, node))
        for i, item in enumerate(node.value):
            seq.push(_build(loader, item, file, (*path, i), count), _origin(file, item))
        return seq
    return loader.construct_object(node, deep=True)


def read_text_limited(
    path: str | Path, display: str | None = None, *, what: str = "file", limit: int = MAX_FILE_BYTES
) -> str:
    """Read a text file the user named, refusing what cannot be a document.

    A folder, a device or a pipe is refused (reading one could block or never end), and
    so is a file larger than *limit* bytes; the text must be UTF-8.

    Raises:
        ScenarioError: The file is missing, not a regular file, too large or unreadable.
    """
    name = display if display is not None else str(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ScenarioError(name, None, "", "no such file") from None
    except OSError as exc:
        raise ScenarioError(
            name, None, "", f"cannot read the {what} ({exc.strerror or exc})"
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError(name, None, "", f"is a folder, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(
            name, None, "", f"is not a regular file (a device or a pipe), not a {what}"
        )
    if st.st_size > limit:
        msg = f"the {what} is {st.st_size / 1e6:.1f} MB, more than the {limit / 1e6:.0f} MB a {what} may be"
        raise ScenarioError(name, None, "", msg)
    try:
        with p.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(
            name, None, "", f"cannot read the {what} ({exc.strerror or exc})"
        ) from None
    if len(raw) > limit:
        raise ScenarioError(
            name, None, "", f"the {what} is more than the {limit / 1e6:.0f} MB a {what} may be"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            name, line, "", f"not a text file (bytes that are not UTF-8 at byte {exc.start})"
        ) from None


def load_yaml(path: str | Path, display: str | None = None) -> Any:
    """Read and parse a YAML file safely (see :func:`parse_yaml` and :func:`read_text_limited`).

    Args:
        path: The file to read.
        display: The file name to use in messages (defaults to *path* as given).

    Raises:
        ScenarioError: The file cannot be read or is not valid YAML.
    """
    name = display if display is not None else str(path)
    return parse_yaml(read_text_limited(path, name), name)


def plain(data: Any) -> Any:
    """Return a deep copy of *data* made of plain dicts and lists (no origins)."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def clone(data: Any) -> Any:
    """Return a deep copy of *data* that keeps the origins of YDict/YList containers."""
    if isinstance(data, YDict):
        d = YDict(data.origin)
        for k, v in data.items():
            d[k] = clone(v)
        d.key_origins = dict(data.key_origins)
        return d
    if isinstance(data, YList):
        seq = YList(data.origin)
        seq.extend(clone(v) for v in data)
        seq.item_origins = list(data.item_origins)
        return seq
    if isinstance(data, dict):
        return {k: clone(v) for k, v in data.items()}
    if isinstance(data, list):
        return [clone(v) for v in data]
    return data


def iter_origins(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, Origin]]:
    """Yield (path, origin) for every value under *data* that has a recorded origin."""
    if isinstance(data, YDict):
        for k, v in data.items():
            o = data.key_origins.get(k)
            if o is not None:
                yield (*path, k), o
            yield from iter_origins(v, (*path, k))
    elif isinstance(data, YList):
        for i, v in enumerate(data):
            if i < len(data.item_origins):
                yield (*path, i), data.item_origins[i]
            yield from iter_origins(v, (*path, i))


class SourceMap:
    """Where each path of a (possibly merged) document was written.

    ``where(path)`` answers for the path itself or, when it has no entry of its own
    (a field that is missing, say), for its nearest ancestor that has one.
    """

    def __init__(self, data: Any, file: str) -> None:
        """Index the origins of every value under *data*; *file* is the document's own file."""
        self.file = file
        self._origins: dict[PathKey, Origin] = dict(iter_origins(data))
        root = getattr(data, "origin", None)
        self._root = root if isinstance(root, Origin) else Origin(file, 1)

    def where(self, path: PathKey) -> Origin:
        """Return the origin of *path*, or of its nearest recorded ancestor."""
        p = tuple(path)
        while p:
            o = self._origins.get(p)
            if o is not None:
                return o
            p = p[:-1]
        return self._root

    def line(self, path: PathKey) -> int:
        """Return the 1-based line of *path* (see :meth:`where`)."""
        return self.where(path).line

    def lines(self) -> dict[str, int]:
        """Return ``{"units[3].men": 18, ...}`` for every recorded path."""
        return {format_path(p): o.line for p, o in self._origins.items()}

    def error(self, path: PathKey, problem: str) -> ScenarioError:
        """Return a ScenarioError for *path* that names the file and line that set it."""
        o = self.where(path)
        return ScenarioError(o.file, o.line, format_path(path), problem)
