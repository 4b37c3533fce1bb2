"""The errors of khasan_sim: one root, each message says where, what was expected and what came.

Message shape: ``<where>: <what is wrong> (expected <x>, got <y>)`` on one line.
"""

from __future__ import annotations


class KhasanSimError(Exception):
    """Root of every error the product raises on bad input or misuse."""


class ScenarioError(KhasanSimError, ValueError):
    """A scenario, variant, parameter or terrain file is malformed.

    Attributes:
        file: The file at fault.
        line: The 1-based line of the offending value, or None when unknown.
        path: The field path inside the document, e.g. ``units[3].men``.
        problem: What is wrong, in words.
    """

    def __init__(self, file: str, line: int | None, path: str, problem: str) -> None:
        self.file = str(file)
        self.line = line
        self.path = path
        self.problem = problem
        where = f"{self.file}:{line}" if line is not None else self.file
        msg = f"{where}: {path}: {problem}" if path else f"{where}: {problem}"
        super().__init__(msg)


class OrderError(KhasanSimError, ValueError):
    """An order is malformed (unknown unit, missing target, bad time)."""


class IllegalOrderError(OrderError):
    """An order is well formed but a rule in force forbids it.

    Attributes:
        unit: The unit the order was for.
        time: The simulated time (ISO 8601) the order was given at.
        reason: The rule and the place that forbid it.
    """

    def __init__(self, unit: str, time: str, reason: str) -> None:
        self.unit = unit
        self.time = time
        self.reason = reason
        super().__init__(f"order for {unit} at {time}: {reason}")


class SaveFileError(KhasanSimError):
    """A saved game or run file is damaged or belongs to another model or scenario."""


class StudyMismatchError(KhasanSimError):
    """A study file does not match the study asked for (resume with another scenario or seed)."""


class StudyBusyError(KhasanSimError):
    """Another process is writing the study file (a second ``batch --resume`` on one study)."""


class SimulationFinished(KhasanSimError):  # noqa: N818 (a state, not an error: the public name stays)
    """The simulation has reached its end time; nothing more can be advanced."""
