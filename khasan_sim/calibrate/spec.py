"""The calibration file: which parameters to fit, within which bounds, why, and to what.

::

    # scenarios/calibration/historical.yaml
    scenario: khasan-1938-historical      # optional: refuse another scenario
    record: ../shared/record/khasan-1938.yaml   # optional: default the shared record
    parameters:
      - key: mobility.p_bog_per_100m.bt.swamp
        bounds: [0.02, 0.30]              # optional: default the parameter file's bounds
        scale: log                        # optional: linear (default) or log
        reason: "MMP of the BT ~3x nominal pressure (model-anchors 3.4) ..."
        entries: [tanks-3tb-reached-forward-line]

Each parameter names a numeric leaf of the scenario's parameter files. Its bounds must
lie inside the bounds the parameter file gives (the file's bounds are the defensible
range; a calibration may only narrow them); a parameter without bounds in its file
needs them here, with the reason. ``reason`` says why the parameter is fitted and why
those bounds; ``entries`` names the record entries that drive it (they go into the
``fitted`` note written beside the value). The search itself scores every candidate
against the whole record: the parameters interact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from khasan_sim.calibrate.space import Dim
from khasan_sim.errors import KhasanSimError
from khasan_sim.model.params import ParamSet

_TOP_KEYS = frozenset({"scenario", "record", "parameters"})
_PARAM_KEYS = frozenset({"key", "bounds", "scale", "reason", "entries"})
_SCALES = ("linear", "log")


class CalibrationFileError(KhasanSimError, ValueError):
    """The calibration file is missing or malformed, or does not fit the scenario or record."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        super().__init__(f"{file}: {path}: {problem}" if path else f"{file}: {problem}")


@dataclass(frozen=True)
class FitParam:
    """One parameter to fit.

    Attributes:
        key: The dotted parameter key.
        bounds: The bounds given here, or None for the parameter file's.
        scale: ``linear`` or ``log``.
        reason: Why it is fitted, and why those bounds.
        entries: The record entries that drive it.
    """

    key: str
    bounds: tuple[float, float] | None
    scale: str
    reason: str
    entries: tuple[str, ...]


@dataclass(frozen=True)
class CalibrationSpec:
    """A calibration file, read.

    Attributes:
        file: The file.
        scenario: The scenario id it is for, or None for any.
        record: The record file it names (resolved beside the calibration file), or None.
        params: The parameters to fit, in file order.
    """

    file: str
    scenario: str | None
    record: Path | None
    params: tuple[FitParam, ...]

    def dims(self, params: ParamSet) -> tuple[Dim, ...]:
        """Return the search space, checked against the scenario's parameters.

        Raises:
            CalibrationFileError: A key is unknown or not a number, or its bounds are
                missing or reach outside the parameter file's bounds.
        """
        out = []
        for i, fp in enumerate(self.params):
            where = f"parameters[{i}] ({fp.key})"
            if fp.key not in params:
                raise CalibrationFileError(self.file, where, _unknown(fp.key, params))
            p = params.param(fp.key)
            if isinstance(p.value, bool) or not isinstance(p.value, (int, float)):
                raise CalibrationFileError(self.file, where, f"not a number in its parameter file (got {p.value!r})")
            own = p.bounds
            bounds = fp.bounds or own
            if bounds is None:
                msg = f"no bounds here nor in {p.file or 'its parameter file'} (expected bounds: [low, high] with the reason)"
                raise CalibrationFileError(self.file, where, msg)
            if own is not None and (bounds[0] < own[0] or bounds[1] > own[1]):
                msg = f"bounds {list(bounds)} reach outside the parameter file's bounds {list(own)} (a calibration may only narrow them)"
                raise CalibrationFileError(self.file, where, msg)
            integer = isinstance(p.value, int) and float(bounds[0]).is_integer() and float(bounds[1]).is_integer()
            try:
                out.append(Dim(fp.key, float(bounds[0]), float(bounds[1]), fp.scale, integer))  # type: ignore[arg-type]
            except ValueError as exc:
                raise CalibrationFileError(self.file, where, str(exc)) from None
        return tuple(out)

    def check_record(self, entry_ids: Sequence[str]) -> None:
        """Raise :class:`CalibrationFileError` if a parameter names an entry the record lacks."""
        known = set(entry_ids)
        for i, fp in enumerate(self.params):
            for e in fp.entries:
                if e not in known:
                    msg = f"no record entry {e!r} (expected one of {', '.join(entry_ids)})"
                    raise CalibrationFileError(self.file, f"parameters[{i}].entries", msg)


def _unknown(key: str, params: ParamSet) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(params), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"no parameter {key!r} in the scenario's parameter files{hint}"


def _bounds(value: Any, file: str, path: str) -> tuple[float, float]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in value)
    )
    if not ok or value[0] >= value[1]:
        raise CalibrationFileError(file, path, f"expected [low, high] with low below high (got {value!r})")
    return float(value[0]), float(value[1])


def parse_calibration(doc: Any, file: str, base_dir: Path | None = None) -> CalibrationSpec:
    """Build a :class:`CalibrationSpec` from a decoded calibration document.

    Raises:
        CalibrationFileError: The document is malformed.
    """
    if not isinstance(doc, dict):
        raise CalibrationFileError(file, "", "a calibration file must be a mapping with parameters: (a list)")
    extra = set(doc) - _TOP_KEYS
    if extra:
        raise CalibrationFileError(file, "", f"unknown field(s) {sorted(extra)} (expected {sorted(_TOP_KEYS)})")
    scenario = doc.get("scenario")
    if scenario is not None and not isinstance(scenario, str):
        raise CalibrationFileError(file, "scenario", f"expected a scenario id (got {scenario!r})")
    record = doc.get("record")
    record_path: Path | None = None
    if record is not None:
        if not isinstance(record, str):
            raise CalibrationFileError(file, "record", f"expected a file path (got {record!r})")
        record_path = Path(record)
        if not record_path.is_absolute() and base_dir is not None:
            record_path = base_dir / record_path
    raw = doc.get("parameters")
    if not isinstance(raw, list) or not raw:
        raise CalibrationFileError(file, "parameters", "expected a non-empty list of parameters to fit")
    params: list[FitParam] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"parameters[{i}]"
        if not isinstance(item, dict):
            raise CalibrationFileError(file, where, f"expected a mapping with key, reason, entries (got {item!r})")
        extra = set(item) - _PARAM_KEYS
        if extra:
            raise CalibrationFileError(file, where, f"unknown field(s) {sorted(extra)} (expected {sorted(_PARAM_KEYS)})")
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise CalibrationFileError(file, where + ".key", f"expected a dotted parameter key (got {key!r})")
        if key in seen:
            raise CalibrationFileError(file, where + ".key", f"{key} is listed twice")
        seen.add(key)
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise CalibrationFileError(file, where + ".reason", "every fitted parameter says why it is fitted and why those bounds")
        entries = item.get("entries")
        if not isinstance(entries, list) or not entries or not all(isinstance(e, str) for e in entries):
            raise CalibrationFileError(file, where + ".entries", f"expected a non-empty list of record entry ids (got {entries!r})")
        scale = item.get("scale", "linear")
        if scale not in _SCALES:
            raise CalibrationFileError(file, where + ".scale", f"expected one of {', '.join(_SCALES)} (got {scale!r})")
        bounds = _bounds(item["bounds"], file, where + ".bounds") if "bounds" in item else None
        params.append(FitParam(key, bounds, scale, reason.strip(), tuple(entries)))
    return CalibrationSpec(file, scenario, record_path, tuple(params))


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read a calibration file.

    Raises:
        CalibrationFileError: The file is missing, not YAML, or malformed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalibrationFileError(str(p), "", "no such calibration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationFileError(str(p), "", f"cannot read the calibration file ({exc})") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CalibrationFileError(str(p), "", f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_calibration(doc, str(p), p.resolve().parent)
