"""Analysis of Monte Carlo studies: the record beside the simulated distributions, reports, exports.

* :mod:`khasan_sim.analysis.compare` - each record entry against a study's runs, the
  calibration score, and the difference between two studies;
* :mod:`khasan_sim.analysis.report` - the HTML report with its plots;
* :mod:`khasan_sim.analysis.export` - JSONL, CSV and Parquet exports of a study.
"""

from __future__ import annotations

from khasan_sim.analysis.compare import (
    EntryComparison,
    LoadedStudy,
    StudyComparison,
    StudyDifference,
    compare_entry,
    compare_studies,
    compare_study,
    crps_sample,
    crps_sample_range,
    load_study,
)

__all__ = [
    "EntryComparison",
    "LoadedStudy",
    "StudyComparison",
    "StudyDifference",
    "compare_entry",
    "compare_studies",
    "compare_study",
    "crps_sample",
    "crps_sample_range",
    "load_study",
]
