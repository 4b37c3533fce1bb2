"""Write fitted values to parameter files: in place, or to an override file.

In place (the default): in each parameter file that holds a fitted parameter, only the
``value:`` of each fitted leaf changes and a ``fitted:`` note is set beside it::

    swamp: {value: 0.14, unit: 1/100m, source: "...", bounds: [0.02, 0.30],
            fitted: {date: "2025-11-26", score: "covered 4/12 -> 6/12, loss 1.52 -> 1.10",
                     method: "...", entries: [tanks-3tb-reached-forward-line], within: [0.02, 0.3]}}

(on one line in the file). Every other line stays byte-identical (see
:mod:`khasan_sim.calibrate.yamledit`). Before anything is written, each edited text is
read back with the parameter loader and checked: it still loads, the fitted leaves
hold their new values and every other parameter is unchanged. Then each file is
replaced atomically (:func:`khasan_sim.io.atomic_write_text`); if any check fails, no
file is written.

To an override file (``--out``): a new parameter file holding only the fitted leaves,
each with its unit, source or reason and bounds copied from its own file, the new
value and the note. A scenario that lists it after the standard files in
``scenario.params`` runs with the fitted values (a later file overrides a key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khasan_sim.calibrate.yamledit import EditError, find_leaf, set_field, set_value, yaml_scalar
from khasan_sim.errors import KhasanSimError
from khasan_sim.io import atomic_write_text
from khasan_sim.model.params import ParamSet


class WriteBackError(KhasanSimError):
    """The fitted values cannot be written (a file changed, a leaf cannot be edited)."""


@dataclass(frozen=True)
class FileEdit:
    """The new text of one parameter file.

    Attributes:
        path: The file.
        before: Its text before.
        after: Its text after.
        keys: The fitted keys it holds.
    """

    path: Path
    before: str
    after: str
    keys: tuple[str, ...]


def edit_text(text: str, values: Mapping[str, Any], notes: Mapping[str, Mapping[str, Any]]) -> str:
    """Return *text* with each key's value set and its ``fitted`` note set (see the module doc).

    Raises:
        EditError: A key is not a leaf of the text, or cannot be edited in place.
    """
    for key, value in values.items():
        text = set_value(text, key, value)
        if key in notes:
            text = set_field(text, key, "fitted", yaml_scalar(dict(notes[key])))
    return text


def check_edit(before: str, after: str, values: Mapping[str, Any], file: str) -> None:
    """Check an edited parameter file: it loads, the keys hold *values*, nothing else changed.

    Raises:
        WriteBackError: The check fails.
    """
    from khasan_sim.errors import ScenarioError
    from khasan_sim.scenario.params_file import parse_params

    try:
        old = parse_params(before, file)
        new = parse_params(after, file)
    except ScenarioError as exc:
        msg = f"{file}: the edited file does not load ({exc})"
        raise WriteBackError(msg) from None
    if set(old) != set(new):
        msg = f"{file}: the edit changed the set of parameters (a bug: nothing was written)"
        raise WriteBackError(msg)
    for key, p in new.items():
        if key in values:
            if p.value != values[key] or type(p.value) is not type(values[key]):
                msg = f"{file}: {key} reads back as {p.value!r}, not {values[key]!r} (nothing was written)"
                raise WriteBackError(msg)
            q = old[key]
            if (p.unit, p.source, p.bounds) != (q.unit, q.source, q.bounds):
                msg = f"{file}: the edit of {key} changed more than its value (nothing was written)"
                raise WriteBackError(msg)
        elif p != old[key]:
            msg = f"{file}: the edit changed {key}, which was not fitted (nothing was written)"
            raise WriteBackError(msg)


def plan_in_place(params: ParamSet, values: Mapping[str, Any], notes: Mapping[str, Mapping[str, Any]]) -> list[FileEdit]:
    """Return the edits of the parameter files that hold the fitted keys (nothing written).

    Raises:
        WriteBackError: A file cannot be read, or an edit fails its check.
    """
    by_file: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        file = params.param(key).file
        if not file:
            msg = f"{key}: the file it was read from is unknown; write to a new file with --out"
            raise WriteBackError(msg)
        by_file.setdefault(file, {})[key] = value
    edits = []
    for file, vals in by_file.items():
        path = Path(file)
        try:
            before = path.read_text(encoding="utf-8")
        except OSError as exc:
            msg = f"{file}: cannot read the parameter file ({exc.strerror or exc})"
            raise WriteBackError(msg) from None
        try:
            after = edit_text(before, vals, notes)
        except EditError as exc:
            raise WriteBackError(f"{file}: {exc}") from None
        check_edit(before, after, vals, file)
        edits.append(FileEdit(path, before, after, tuple(vals)))
    return edits


def write_in_place(edits: Sequence[FileEdit]) -> list[Path]:
    """Write the planned edits, each file atomically; return the files written.

    Raises:
        WriteBackError: A file changed on disk since the edits were planned.
    """
    for e in edits:
        if e.path.read_text(encoding="utf-8") != e.before:
            msg = f"{e.path}: the file changed while the calibration ran; nothing was written"
            raise WriteBackError(msg)
    return [atomic_write_text(e.path, e.after) for e in edits]


def override_text(
    params: ParamSet,
    values: Mapping[str, Any],
    notes: Mapping[str, Mapping[str, Any]],
    header: Sequence[str] = (),
) -> str:
    """Return a parameter file holding only the fitted leaves (see the module doc).

    Raises:
        WriteBackError: A fitted key's own file cannot be read.
    """
    texts: dict[str, str] = {}
    tree: dict[str, Any] = {}
    for key, value in sorted(values.items()):
        p = params.param(key)
        parts: list[str] = []
        if p.file:
            if p.file not in texts:
                try:
                    texts[p.file] = Path(p.file).read_text(encoding="utf-8")
                except OSError as exc:
                    msg = f"{p.file}: cannot read the parameter file ({exc.strerror or exc})"
                    raise WriteBackError(msg) from None
            leaf = find_leaf(texts[p.file], key)
            src = texts[p.file]
            for name, (_, vnode) in leaf.fields.items():
                if name == "value":
                    parts.append(f"value: {yaml_scalar(value)}")
                elif name != "fitted":
                    parts.append(f"{name}: {src[vnode.start_mark.index : vnode.end_mark.index]}")
        else:
            parts = [f"value: {yaml_scalar(value)}", f"unit: {yaml_scalar(p.unit)}", f"reason: {yaml_scalar(p.source)}"]
            if p.bounds is not None:
                parts.append(f"bounds: {yaml_scalar(list(p.bounds))}")
        if key in notes:
            parts.append(f"fitted: {yaml_scalar(dict(notes[key]))}")
        node = tree
        *head, last = key.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = "{" + ", ".join(parts) + "}"
    lines = [f"# {h}" if h else "#" for h in header]

    def emit(node: Mapping[str, Any], indent: int) -> None:
        for k, v in node.items():
            if isinstance(v, dict):
                lines.append(f"{' ' * indent}{k}:")
                emit(v, indent + 2)
            else:
                lines.append(f"{' ' * indent}{k}: {v}")

    emit(tree, 0)
    text = "\n".join(lines) + "\n"
    from khasan_sim.errors import ScenarioError
    from khasan_sim.scenario.params_file import parse_params

    try:
        back = parse_params(text, "override")
    except ScenarioError as exc:  # pragma: no cover - a bug
        msg = f"the override file does not load ({exc})"
        raise WriteBackError(msg) from None
    for key, value in values.items():
        if back[key].value != value:  # pragma: no cover - a bug
            msg = f"the override file reads {key} as {back[key].value!r}, not {value!r}"
            raise WriteBackError(msg)
    return text
