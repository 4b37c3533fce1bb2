"""Apply a variant (a what-if) to a base scenario document.

A variant lists changes by path, applied in this order: every ``replace``, then
every ``remove``, then every ``add``, each list in the order written::

    replace:
      - {path: units[2mb-3tb].training, value: good}
      - {path: rules.no_border_crossing, value: []}
    remove:
      - orders[o-3tb-attack]
    add:
      - {path: orders, value: {kind: dig_in, unit: 2mb-3tb, at: 1938-08-06T18:00}}

Path syntax: dots between mapping keys; ``[id]`` picks the list item whose ``id``
equals *id*; ``[3]`` picks a list item by its 0-based index.

* ``replace`` sets an existing key or list item to the value.
* ``remove`` deletes an existing key or list item.
* ``add`` appends the value to a list, or sets a key that does not exist yet.

Values the variant sets keep their origin in the variant file, so a later error in
such a value names the variant file and its line, not the base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from khasan_sim.errors import ScenarioError
from khasan_sim.scenario.schema import VariantDoc
from khasan_sim.scenario.yamlsrc import Origin, YDict, YList, clone

_SEGMENT = re.compile(r"\.?([A-Za-z0-9_][A-Za-z0-9_-]*)|\[([^\[\]]+)\]")
_MAX_LISTED = 12


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a variant path: a mapping key, a list item by id, or by index."""

    kind: Literal["key", "id", "index"]
    name: str
    index: int = -1

    def __str__(self) -> str:
        return self.name if self.kind == "key" else f"[{self.name}]"


def parse_path(text: str) -> list[Step]:
    """Parse a variant path such as ``units[2mb-3tb].tanks[0].count`` into steps.

    Raises:
        ValueError: The text is not a path (the message says where it stops making sense).
    """
    steps: list[Step] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None or (m.group(1) is not None and text[m.start()] == "." and not steps):
            msg = f"cannot read the path after '{text[:pos]}' (expected key.key[id][index])"
            raise ValueError(msg)
        if m.group(1) is not None:
            if steps and text[m.start()] != ".":
                msg = f"expected '.' before '{m.group(1)}' in the path"
                raise ValueError(msg)
            steps.append(Step("key", m.group(1)))
        else:
            sel = m.group(2).strip()
            if not steps:
                msg = "a path starts with a key, e.g. units[2mb-3tb]"
                raise ValueError(msg)
            if sel.isdigit():
                steps.append(Step("index", sel, int(sel)))
            else:
                steps.append(Step("id", sel))
        pos = m.end()
    if not steps:
        msg = "the path is empty"
        raise ValueError(msg)
    return steps


def _listing(words: list[str]) -> str:
    shown = ", ".join(words[:_MAX_LISTED])
    if len(words) > _MAX_LISTED:
        shown += f", ... and {len(words) - _MAX_LISTED} more"
    return shown or "none"


def _where(steps: list[Step], upto: int) -> str:
    out = ""
    for s in steps[:upto]:
        out += f".{s}" if (s.kind == "key" and out) else str(s)
    return out or "the document"


class _MissError(Exception):
    """The path matches nothing; the message says why."""


def _child(container: Any, step: Step, steps: list[Step], i: int) -> Any:
    """Return the key or index of *step* inside *container* (raising _MissError if absent)."""
    here = _where(steps, i)
    if step.kind == "key":
        if not isinstance(container, dict):
            kind = "a list" if isinstance(container, list) else "a single value"
            msg = f"{here} is {kind}, so it has no key '{step.name}'"
            if isinstance(container, list):
                msg += " (select an item with [id] or [index])"
            raise _MissError(msg)
        if step.name not in container:
            msg = f"there is no '{step.name}' under {here} (keys: {_listing(sorted(map(str, container)))})"
            raise _MissError(msg)
        return step.name
    if not isinstance(container, list):
        msg = f"{here} is not a list, so [{step.name}] selects nothing"
        raise _MissError(msg)
    if step.kind == "index":
        if step.index >= len(container):
            msg = f"index {step.index} is past the end of {here} ({len(container)} items)"
            raise _MissError(msg)
        return step.index
    hits = [j for j, item in enumerate(container) if isinstance(item, dict) and item.get("id") == step.name]
    if not hits:
        ids = [str(item["id"]) for item in container if isinstance(item, dict) and "id" in item]
        msg = f"no item of {here} has id '{step.name}' (ids: {_listing(ids)})"
        raise _MissError(msg)
    if len(hits) > 1:
        msg = f"{len(hits)} items of {here} have id '{step.name}'; select one by [index]"
        raise _MissError(msg)
    return hits[0]


def _parent(doc: Any, steps: list[Step]) -> tuple[Any, Step]:
    """Walk all steps but the last; return the container and the last step."""
    node = doc
    for i, step in enumerate(steps[:-1]):
        node = node[_child(node, step, steps, i)]
    return node, steps[-1]


def _set(container: Any, key: str | int, value: Any, origin: Origin) -> None:
    if isinstance(container, YDict):
        container.set(str(key), value, origin)
    elif isinstance(container, YList) and isinstance(key, int):
        container.put(key, value, origin)
    else:
        container[key] = value


def _delete(container: Any, key: str | int) -> None:
    if isinstance(container, YDict):
        container.delete(str(key))
    elif isinstance(container, YList) and isinstance(key, int):
        container.drop(key)
    else:
        del container[key]


def _append(container: Any, value: Any, origin: Origin) -> None:
    if isinstance(container, YList):
        container.push(value, origin)
    else:
        container.append(value)


def _origin_of(seq: Any, index: int, file: str) -> Origin:
    origins = getattr(seq, "item_origins", None)
    if origins is not None and index < len(origins):
        return origins[index]
    return Origin(file, 1)


def _value_origin(change: Any, fallback: Origin) -> Origin:
    origins = getattr(change, "key_origins", {})
    return origins.get("value") or origins.get("path") or fallback


def apply_variant(base: Any, variant: VariantDoc, raw: Any, file: str) -> Any:
    """Return a copy of *base* with the variant's changes applied (base is not modified).

    Args:
        base: The base document as read by :mod:`yamlsrc` (a YDict).
        variant: The validated variant.
        raw: The variant document as read by :mod:`yamlsrc`, for the values and lines.
        file: The variant file's name, for messages.

    Returns:
        The merged document; values the variant set carry origins in *file*.

    Raises:
        ScenarioError: A path cannot be read, matches nothing, or the change does not
            fit what it matches. The message names the variant file, the line of the
            change and the path.
    """
    doc = clone(base)
    sections: list[tuple[str, Any]] = [
        ("replace", raw.get("replace") or []),
        ("remove", raw.get("remove") or []),
        ("add", raw.get("add") or []),
    ]
    for op, items in sections:
        for i, item in enumerate(items):
            at = _origin_of(items, i, file)
            text = item if op == "remove" else item.get("path", "")
            line = getattr(item, "key_origins", {}).get("path", at).line if op != "remove" else at.line
            try:
                steps = parse_path(str(text))
            except ValueError as exc:
                raise ScenarioError(file, line, str(text), str(exc)) from None
            try:
                _apply_one(doc, op, steps, item, at, file, line, str(text))
            except _MissError as exc:
                msg = f"{op} matches nothing in the base: {exc}"
                raise ScenarioError(file, line, str(text), msg) from None
    return doc


def _apply_one(doc: Any, op: str, steps: list[Step], item: Any, at: Origin, file: str, line: int, text: str) -> None:
    if op != "remove" and "value" not in item:
        msg = f"{op} needs a value (expected value: ..., got only a path)"
        raise ScenarioError(file, line, text, msg)
    container, last = _parent(doc, steps)
    if op == "replace":
        key = _child(container, last, steps, len(steps) - 1)
        _set(container, key, clone(item["value"]), _value_origin(item, at))
    elif op == "remove":
        key = _child(container, last, steps, len(steps) - 1)
        _delete(container, key)
    else:
        value = clone(item["value"])
        origin = _value_origin(item, at)
        if last.kind == "key" and isinstance(container, dict) and last.name not in container:
            _set(container, last.name, value, origin)
            return
        key = _child(container, last, steps, len(steps) - 1)
        target = container[key]
        if not isinstance(target, list):
            msg = f"add appends to a list or sets a new key, but {text} already holds a value (use replace)"
            raise ScenarioError(file, line, text, msg)
        _append(target, value, origin)
