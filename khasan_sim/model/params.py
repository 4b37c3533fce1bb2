"""Model parameters: every value carries its unit and a source or a reason.

Parameter files (``scenarios/params/*.yaml``) are nested mappings whose leaves are
records ``{value, unit, source | reason, [bounds], [fitted]}``. They are flattened to
dotted keys such as ``mobility.speed_kmh.bt.swamp``. Mechanics never read files: they
receive a :class:`ParamSet` (or plain floats pulled from it) as arguments.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Param:
    """One model parameter.

    Attributes:
        key: Dotted key, e.g. ``mobility.speed_kmh.bt.swamp``.
        value: The number (or a short string for categorical parameters).
        unit: Its unit (``km/h``, ``1/100 m``, ``fraction``, ``deg``, ...).
        source: Where it comes from, or the reason for it when no source exists.
        bounds: Defensible (low, high) for calibration, or None.
        fitted: Calibration note (score, record entries that drove it), or None.
        file: The file it was read from.
        line: Its line in that file (None when not read from a file).
    """

    key: str
    value: Any
    unit: str
    source: str
    bounds: tuple[float, float] | None = None
    fitted: Mapping[str, Any] | None = None
    file: str = ""
    line: int | None = field(default=None, compare=False)  # where it was read, not what it is


@dataclass(frozen=True)
class ParamSet:
    """An immutable set of parameters keyed by dotted key."""

    params: Mapping[str, Param] = field(default_factory=dict)
    _floats: dict[str, float] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __contains__(self, key: object) -> bool:
        return key in self.params

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.params))

    def __len__(self) -> int:
        return len(self.params)

    def param(self, key: str) -> Param:
        """Return the Param record for *key* (KeyError naming the key if absent)."""
        try:
            return self.params[key]
        except KeyError:
            msg = f"model parameter '{key}' is not defined in any parameter file"
            raise KeyError(msg) from None

    def value(self, key: str) -> Any:
        """Return the value of *key*."""
        return self.param(key).value

    def f(self, key: str) -> float:
        """Return the value of *key* as a float (remembered: the set never changes)."""
        try:
            return self._floats[key]
        except KeyError:
            v = float(self.param(key).value)
            self._floats[key] = v
            return v

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value of *key*, or *default* when it is not defined."""
        p = self.params.get(key)
        return default if p is None else p.value

    def subtree(self, prefix: str) -> dict[str, Any]:
        """Return ``{rest_of_key: value}`` for every key under ``prefix.``."""
        pre = prefix.rstrip(".") + "."
        return {k[len(pre):]: p.value for k, p in sorted(self.params.items()) if k.startswith(pre)}

    def with_values(self, values: Mapping[str, Any]) -> ParamSet:
        """Return a copy with some values changed (for calibration and what-ifs)."""
        new = dict(self.params)
        for k, v in values.items():
            new[k] = replace(self.param(k), value=v)
        return ParamSet(new)

    def digest_items(self) -> list[tuple[str, str]]:
        """Return sorted (key, repr(value)) pairs, for hashing into a study manifest."""
        return [(k, repr(self.params[k].value)) for k in sorted(self.params)]
