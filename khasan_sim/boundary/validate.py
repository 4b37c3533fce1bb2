"""Validate a document read from YAML against a pydantic model, with plain-words errors.

:func:`validate_model` turns pydantic's first error (the one nearest the top of its
file) into one :class:`~khasan_sim.errors.ScenarioError` naming the file, the line and
the field path, and saying what was expected and what came: ``units[1].men: expected
an integer >= 0 (got 'many')``. Every file the user edits (scenarios, variants,
terrain descriptions, parameter files, exercises) is validated through it.
"""

from __future__ import annotations

import difflib
import enum
import types
import typing
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from khasan_sim.boundary.yamlsrc import PathKey, SourceMap, plain

__all__ = ["ID_PATTERN", "describe_value", "unknown_name", "validate_model"]

M = TypeVar("M", bound=BaseModel)

ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"
"""The pattern of every id in the files (units, zones, orders, variants)."""
_ID_PATTERN = ID_PATTERN


def _strip(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _model_field(model: type[BaseModel], name: object) -> Any:
    for fname, f in model.model_fields.items():
        if name in (fname, f.alias):
            return f
    return None


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _kind_tags(tp: Any) -> dict[str, type[BaseModel]]:
    """Return {kind: model} for a union discriminated by ``kind``."""
    out: dict[str, type[BaseModel]] = {}
    for a in get_args(_strip(tp)):
        a = _strip(a)
        if _is_model(a) and "kind" in a.model_fields:
            for tag in get_args(a.model_fields["kind"].annotation):
                out[str(tag)] = a
    return out


def _step_type(tp: Any, el: str | int) -> tuple[Any, Any]:
    """Follow one pydantic loc element from type *tp*; return (type, FieldInfo or None)."""
    tp = _strip(tp)
    if _is_model(tp):
        f = _model_field(tp, el)
        return (f.annotation, f) if f is not None else (None, None)
    origin = get_origin(tp)
    if _is_union(tp):
        members = [a for a in get_args(tp) if a is not type(None)]
        tags = _kind_tags(tp)
        if isinstance(el, str) and el in tags:
            return tags[el], None
        if len(members) == 1:
            return _step_type(members[0], el)
        if isinstance(el, str):
            for a in members:
                s = _strip(a)
                if (el.startswith("tuple") and get_origin(s) is tuple) or (
                    el.startswith("list") and get_origin(s) is list
                ):
                    return a, None
                if "str" in el and s is str:
                    return a, None
        for a in members:
            t, f = _step_type(a, el)
            if t is not None:
                return t, f
        return None, None
    if origin is list and isinstance(el, int):
        return get_args(tp)[0], None
    if origin is tuple and isinstance(el, int):
        args = get_args(tp)
        return (args[el] if el < len(args) else args[0]), None
    if origin is dict:
        k, v = get_args(tp)
        return (k if el == "[key]" else v), None
    return None, None


def _type_at(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[Any, Any]:
    """Return (type, last FieldInfo seen) at a pydantic loc, or (None, None)."""
    tp: Any = model
    field = None
    if "[key]" in loc:  # ('weapons', 'How-122', '[key]'): the key of a mapping, not its value
        i = list(loc).index("[key]")
        loc = (*loc[: i - 1], "[key]", *loc[i + 1 :])
    for el in loc:
        tp, f = _step_type(tp, el)
        if tp is None:
            return None, field
        if f is not None:
            field = f
    return tp, field


def _constraints(field: Any, tp: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    metas = list(getattr(field, "metadata", []) or [])
    t = tp
    while get_origin(t) is typing.Annotated:
        metas += list(get_args(t)[1:])
        t = get_args(t)[0]
    for m in metas:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
            v = getattr(m, name, None)
            if v is not None and not isinstance(m, type):
                out.setdefault(name, v)
        for sub in getattr(m, "metadata", []) or []:
            for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
                v = getattr(sub, name, None)
                if v is not None:
                    out.setdefault(name, v)
    return out


def _describe(tp: Any, field: Any = None, bound: str = "low") -> str:
    """Describe what a value of type *tp* should be, in plain words."""
    if tp is None:
        return "a valid value"
    cons = _constraints(field, tp) if field is not None else _constraints(None, tp)
    base = _strip(tp)
    if _is_union(base):
        members = [_strip(a) for a in get_args(base) if a is not type(None)]
        if len(members) == 1:
            return _describe(members[0], field, bound)
        if _kind_tags(base):
            return "an order: a mapping with kind: " + ", ".join(_kind_tags(base))
        words = []
        for m in members:
            words.append("an id" if m is str else _describe(m))
        if str in members and any(get_origin(m) is tuple for m in members):
            return "a zone id or a point [x, y] in metres"
        return " or ".join(words)
    if base is bool:
        return "true or false"
    if base is int or base is float:
        word = "an integer" if base is int else "a number"
        lows = [
            f">= {cons['ge']}" if "ge" in cons else "",
            f"> {cons['gt']}" if "gt" in cons else "",
        ]
        highs = [
            f"<= {cons['le']}" if "le" in cons else "",
            f"< {cons['lt']}" if "lt" in cons else "",
        ]
        low = next((w for w in lows if w), "")
        high = next((w for w in highs if w), "")
        if bound == "high" and high:
            return f"{word} {high}"
        if low:
            return f"{word} {low}"
        return f"{word} {high}".rstrip()
    if base is datetime or (isinstance(base, type) and issubclass(base, datetime)):
        return "a time like 1938-08-06T16:00"
    if base is str:
        pattern = cons.get("pattern")
        if pattern == _ID_PATTERN:
            return "an id of lower-case letters, digits, '.' and '-'"
        if pattern == r"^\d{2}:\d{2}$":
            return "a time of day HH:MM"
        return "text"
    if get_origin(base) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(base))
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in base)
    if get_origin(base) is tuple:
        return "a point [x, y] in metres"
    if get_origin(base) is list:
        n = cons.get("min_length")
        return f"a list of at least {n} items" if n else "a list"
    if get_origin(base) is dict:
        return "a mapping of name: count" if get_args(base)[1] is int else "a mapping"
    if _is_model(base):
        return "a mapping with fields " + ", ".join(_field_names(base))
    return getattr(base, "__name__", str(base))


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _got(value: Any) -> str:
    """Describe the value that came, briefly and on one line."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return repr(value)[:40]


def _loc_to_path(loc: Sequence[str | int], data: Any) -> tuple[PathKey, bool]:
    """Map a pydantic loc to a document path; return (path, came_from_a_union_member)."""
    path: list[str | int] = []
    node: Any = data
    union_member = False
    for i, el in enumerate(loc):
        last = i == len(loc) - 1
        in_dict = isinstance(node, dict) and isinstance(el, str) and el in node
        in_list = isinstance(node, list) and isinstance(el, int) and 0 <= el < len(node)
        if in_dict or in_list:
            path.append(el)
            node = node[el]
        elif isinstance(node, dict) and isinstance(el, str) and node.get("kind") == el:
            continue  # discriminated-union tag: the order's kind
        elif el == "[key]":
            continue
        elif isinstance(node, dict) and isinstance(el, str) and last:
            path.append(el)  # a missing or unknown field
            node = None
        elif isinstance(el, int):
            break  # an item missing from a too-short list or point: blame the list
        else:
            union_member = True  # a smart-union member name such as 'str' or 'tuple[float, float]'
    return tuple(path), union_member


def _value_at(data: Any, path: PathKey) -> Any:
    node = data
    for p in path:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _reword(err: Any, model: type[BaseModel], data: Any) -> tuple[PathKey, str]:
    """Return (path, problem) for one pydantic error dict."""
    loc = tuple(err["loc"])
    etype = err["type"]
    path, from_union = _loc_to_path(loc, data)
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if from_union:
        # describe the whole union at the path rather than one member's complaint
        i = len(loc)
        while i > 0:
            tp, f = _type_at(model, loc[:i])
            if tp is not None and _is_union(_strip(tp)) and not _kind_tags(tp):
                return path, f"expected {_describe(tp, f)} (got {_got(_value_at(data, path))})"
            i -= 1
    tp, field = _type_at(model, loc)
    if etype == "missing" and isinstance(loc[-1], int):
        ptp, pfield = _type_at(model, loc[:-1])
        return path, f"expected {_describe(ptp, pfield)} (got {_got(_value_at(data, path))})"
    if etype == "missing":
        return path, f"missing required field '{loc[-1]}'"
    if etype == "extra_forbidden":
        parent, _ = _type_at(model, loc[:-1])
        parent = _strip(parent) if parent is not None else None
        if not _is_model(parent):
            return path, f"unknown field '{loc[-1]}'"
        names = _field_names(parent)
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return path, f"unknown field '{loc[-1]}' ({hint}expected one of: {', '.join(names)})"
    if etype == "union_tag_invalid":
        noun = (
            "order kind"
            if path and path[0] == "orders"
            else f"'{ctx.get('discriminator', 'kind')}'"
        )
        return (
            *path,
            "kind",
        ), f"unknown {noun} '{ctx.get('tag')}' (expected one of: {_tags(ctx.get('expected_tags'))})"
    if etype == "union_tag_not_found":
        disc = str(ctx.get("discriminator", "kind")).strip("'")
        tags = _tags(", ".join(_kind_tags(tp)) if tp is not None else None)
        return (*path, disc), f"missing required field '{disc}' (expected one of: {tags})"
    if etype in ("value_error", "assertion_error"):
        text = (
            str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        )
        first = text.split(" ", 1)[0]
        target = _value_at(data, path)
        if isinstance(target, dict) and first in target:
            path = (*path, first)
        return path, text
    if etype in ("literal_error", "enum"):
        expected = ctx.get("expected") or _describe(tp, field)
        return path, f"expected one of {expected} (got {_got(got)})"
    if etype in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sym = {
            "greater_than_equal": ">=",
            "greater_than": ">",
            "less_than_equal": "<=",
            "less_than": "<",
        }[etype]
        limit = next(iter(ctx.values()), "?")
        word = (
            "a number"
            if isinstance(got, float) or (tp is not None and _strip(tp) is float)
            else "an integer"
        )
        return path, f"expected {word} {sym} {limit} (got {_got(got)})"
    if etype == "too_short":
        n = ctx.get("min_length")
        return (
            path,
            f"expected at least {n} item{'s' if n != 1 else ''} (got {ctx.get('actual_length', _got(got))})",
        )
    if etype == "too_long":
        n = ctx.get("max_length")
        if tp is not None and get_origin(_strip(tp)) is tuple:
            return path, f"expected a point [x, y] in metres (got {_got(got)})"
        return path, f"expected at most {n} items (got {ctx.get('actual_length', _got(got))})"
    if etype == "string_too_long":
        return path, f"expected at most {ctx.get('max_length')} characters (got {len(str(got))})"
    if etype == "string_pattern_mismatch":
        return path, f"expected {_describe(tp, field)} (got {_got(got)})"
    return path, f"expected {_describe(tp, field)} (got {_got(got)})"


def _tags(tags: Any) -> str:
    if not tags:
        return "?"
    return ", ".join(t.strip().strip("'") for t in str(tags).split(","))


def validate_model(model: type[M], data: Any, smap: SourceMap) -> M:
    """Validate *data* against *model*, turning the first error into a ScenarioError.

    "First" means nearest the top of the file, so the message points where a reader
    would start fixing.

    Raises:
        ScenarioError: The data does not fit the model (file, line, path, problem).
    """
    try:
        return model.model_validate(plain(data))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # a misspelt field shows up twice: as unknown, and as the real one missing;
        # the unknown one says more (and sits on the right line)
        extra_parents = {tuple(e["loc"][:-1]) for e in errors if e["type"] == "extra_forbidden"}
        errors = [
            e
            for e in errors
            if not (e["type"] == "missing" and tuple(e["loc"][:-1]) in extra_parents)
        ]
        found = []
        for n, err in enumerate(errors):
            path, problem = _reword(err, model, data)
            found.append((smap.where(path).line, n, path, problem))
        found.sort(key=lambda t: (t[0], t[1]))
        _, _, path, problem = found[0]
        raise smap.error(path, problem) from None


def describe_value(value: Any) -> str:
    """Describe a value that came, briefly and on one line (for messages)."""
    return _got(value)


def unknown_name(word: str, name: str, known: Iterable[str], listed: int = 12) -> str:
    """Say that *name* is not one of the *known* names of a *word*, with the closest as a hint."""
    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    more = f", ... and {len(names) - listed} more" if len(names) > listed else ""
    shown = ", ".join(names[:listed]) + more
    return f"unknown {word} '{name}' ({hint}known {word}s: {shown or 'none'})"
