"""The practical size of a difference: the smallest one worth a teacher's attention, per metric.

A difference between two studies whose 95% interval leaves out zero is real for the
model's luck, but paired seeds make the interval narrow, so a tiny difference (7 killed
in 630) can be "real". The reports say a difference is worth attention only when it is
also at least the metric's practical size, read from ``scenarios/reports/practical-size.yaml``
(each size with its unit and reason, shown in the report).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from khasan_sim.scenario.builtin import data_root

UNITS = ("percent of the baseline", "men", "tanks", "attacks", "hours", "percentage points")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    metric: str = Field(min_length=1)
    statistic: str = "*"
    value: float = Field(gt=0)
    unit: Literal["percent of the baseline", "men", "tanks", "attacks", "hours", "percentage points"]
    reason: str = Field(min_length=1)


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[_Rule] = Field(min_length=1)


@dataclass(frozen=True)
class PracticalSize:
    """The smallest difference worth attention for one metric and statistic.

    Attributes:
        value: The size, in *unit*.
        unit: One of :data:`UNITS`.
        reason: Why that size (one line, from the data file).
        rule: The ``metric`` glob of the rule that gave it.
    """

    value: float
    unit: str
    reason: str
    rule: str

    def threshold(self, baseline: float) -> float:
        """Return the size in the statistic's own units (a share's units are fractions)."""
        if self.unit == "percent of the baseline":
            return abs(baseline) * self.value / 100.0
        if self.unit == "percentage points":
            return self.value / 100.0
        return self.value

    def worth_attention(self, difference: float, baseline: float) -> bool:
        """Return True if *difference* is at least the practical size."""
        return abs(difference) >= self.threshold(baseline) - 1e-12

    def text(self) -> str:
        """Return the size in words: ``5% of the baseline``, ``2 tanks``."""
        v = f"{self.value:g}"
        if self.unit == "percent of the baseline":
            return f"{v}% of the baseline"
        return f"{v} {self.unit}"


def default_file() -> Path:
    """Return the packaged practical-size file."""
    return data_root() / "scenarios" / "reports" / "practical-size.yaml"


@lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> tuple[_Rule, ...]:
    """Read the practical-size rules (safe YAML, checked field by field).

    Raises:
        ScenarioError: The file is missing or malformed (the message names file, line, field).
    """
    from khasan_sim.boundary.validate import validate_model
    from khasan_sim.scenario.yamlsrc import SourceMap, load_yaml

    p = Path(path) if path is not None else default_file()
    data = load_yaml(p, str(p))
    doc = validate_model(_Doc, data, SourceMap(data, str(p)))
    return tuple(doc.rules)


def practical_size(metric: str, statistic: str, path: str | None = None) -> PracticalSize | None:
    """Return the practical size of *statistic* of *metric*, or None when no rule matches."""
    for r in load_rules(path):
        if fnmatch.fnmatchcase(metric, r.metric) and fnmatch.fnmatchcase(statistic, r.statistic):
            return PracticalSize(r.value, r.unit, r.reason, r.metric)
    return None
