"""Edit a parameter file's text in place: one leaf's fields, every other byte kept.

A parameter file is hand-written YAML with comments and aligned columns; loading and
dumping it would lose both. These functions find a leaf (``{value, unit, ...}``) by its
dotted key in the YAML node tree (:func:`yaml.compose`, which keeps the character span
of every node) and replace only the characters of the field's value. A field the leaf
does not have yet is added at the end of the leaf: inside the braces of a flow mapping
(``{value: 1, unit: m, fitted: {...}}``), or on a new line with the leaf's indentation
for a block mapping. Every other line of the file stays byte-identical.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml


class EditError(ValueError):
    """The leaf or field to edit is not in the text, or the text is not YAML."""


@dataclass(frozen=True)
class Leaf:
    """A parameter leaf found in a file's text.

    Attributes:
        key: Its dotted key.
        node: Its mapping node (``{value, unit, ...}``).
        fields: ``{field name: (key node, value node)}``.
    """

    key: str
    node: yaml.MappingNode
    fields: dict[str, tuple[yaml.Node, yaml.Node]]


def find_leaf(text: str, key: str) -> Leaf:
    """Return the leaf *key* (a dotted key) of the parameter file *text*.

    Raises:
        EditError: The text is not YAML, or it has no mapping with ``value`` at *key*.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        msg = f"not valid YAML ({getattr(exc, 'problem', exc)})"
        raise EditError(msg) from None
    node: yaml.Node | None = root
    rest = key
    while True:
        if not isinstance(node, yaml.MappingNode):
            msg = f"no parameter {key!r} in the file"
            raise EditError(msg)
        if rest == "":
            break
        nxt = None
        for k, v in node.value:
            name = str(k.value)
            if rest == name:
                nxt, rest = v, ""
                break
            if rest.startswith(name + "."):
                nxt, rest = v, rest[len(name) + 1 :]
                break
        if nxt is None:
            msg = f"no parameter {key!r} in the file"
            raise EditError(msg)
        node = nxt
    fields = {str(k.value): (k, v) for k, v in node.value}
    if "value" not in fields:
        msg = f"{key!r} is a group of parameters, not one parameter (no value:)"
        raise EditError(msg)
    return Leaf(key, node, fields)


def yaml_scalar(value: Any) -> str:
    """Return *value* as YAML flow text that reads back as the same value.

    Integers as digits; floats in positional notation with a decimal point (PyYAML
    reads ``1e-05`` as a string); strings double-quoted (JSON escapes, valid YAML);
    lists and mappings in flow style; booleans as true/false.

    Raises:
        EditError: A value that cannot be written (NaN, infinity, another type).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"cannot write {value!r} to a parameter file"
            raise EditError(msg)
        text = repr(value)
        if "e" in text or "E" in text:
            import numpy as np

            text = np.format_float_positional(value, trim="0")
        if "." not in text:
            text += ".0"
        return text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)}: {yaml_scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    msg = f"cannot write a {type(value).__name__} to a parameter file"
    raise EditError(msg)


def _key(k: object) -> str:
    text = str(k)
    plain = text.replace("_", "").replace("-", "").isalnum() and text[:1].isalpha() and text.isascii()
    return text if plain else json.dumps(text, ensure_ascii=False)


def set_field(text: str, key: str, field: str, value_text: str) -> str:
    """Return *text* with the field *field* of the leaf *key* set to *value_text* (YAML flow text).

    Only the characters of the field's old value change; a missing field is added at
    the end of the leaf (see the module doc).

    Raises:
        EditError: No such leaf, or the leaf's layout is one this function cannot edit.
    """
    leaf = find_leaf(text, key)
    if field in leaf.fields:
        _, vnode = leaf.fields[field]
        start, end = vnode.start_mark.index, vnode.end_mark.index
        if isinstance(vnode, yaml.ScalarNode) and vnode.style in ("|", ">"):
            msg = f"{key}.{field}: a block scalar cannot be edited in place"
            raise EditError(msg)
        return text[:start] + value_text + text[end:]
    last_key, last_value = list(leaf.fields.values())[-1]
    if leaf.node.flow_style:
        pos = last_value.end_mark.index
        return text[:pos] + f", {field}: {value_text}" + text[pos:]
    # block mapping: a new line after the line holding the leaf's last value
    if not isinstance(last_value, yaml.ScalarNode) and not getattr(last_value, "flow_style", False):
        msg = f"{key}: its last field is a block, cannot add {field} after it"
        raise EditError(msg)
    pos = last_value.end_mark.index
    newline = text.find("\n", pos)
    indent = " " * last_key.start_mark.column
    if newline == -1:
        return text + f"\n{indent}{field}: {value_text}\n"
    return text[: newline + 1] + f"{indent}{field}: {value_text}\n" + text[newline + 1 :]


def set_value(text: str, key: str, value: float | int) -> str:
    """Return *text* with the ``value:`` of the leaf *key* set to *value*."""
    return set_field(text, key, "value", yaml_scalar(value))


def changed_lines(before: str, after: str) -> list[int]:
    """Return the 0-based numbers of the lines of *before* that *after* does not keep unchanged.

    For an edit that keeps the line count, the lines that differ; otherwise every line
    from the first difference on (a coarse answer, enough for tests and checks).
    """
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(a) == len(b):
        return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return list(range(first, len(a)))
