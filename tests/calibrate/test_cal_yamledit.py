"""In-place editing of parameter files: only the edited value's characters change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.calibrate.yamledit import (
    EditError,
    changed_lines,
    find_leaf,
    set_field,
    set_value,
    yaml_scalar,
)
from khasan_sim.scenario.params_file import parse_params

PARAMS = Path(__file__).resolve().parents[2] / "scenarios" / "params"

FLOW = """\
# Combat parameters (a comment that must survive)
fire:
  killed_fraction: {value: 0.25, unit: fraction, bounds: [0.18, 0.33], source: "wound ballistics"}   # trailing
  moving_exposure: {value: 1.5,  unit: factor, bounds: [1.0, 2.5], reason: "assumption"}
  nested:
    deep: {value: 3, unit: men, reason: "x", bounds: [1, 9], fitted: false}
"""

BLOCK = """\
group:
  leaf:
    value: 0.5   # the value
    unit: factor
    reason: "assumption"
  other:
    value: 7
    unit: men
    reason: r
"""


def test_set_value_in_a_flow_leaf_changes_only_that_value():
    out = set_value(FLOW, "fire.killed_fraction", 0.2)
    assert changed_lines(FLOW, out) == [2]
    assert out.splitlines()[2] == '  killed_fraction: {value: 0.2, unit: fraction, bounds: [0.18, 0.33], source: "wound ballistics"}   # trailing'
    assert parse_params(out, "f")["fire.killed_fraction"].value == 0.2


def test_set_value_keeps_alignment_spaces_after_the_value():
    out = set_value(FLOW, "fire.moving_exposure", 2.25)
    assert out.splitlines()[3] == '  moving_exposure: {value: 2.25,  unit: factor, bounds: [1.0, 2.5], reason: "assumption"}'


def test_set_field_replaces_an_existing_field_and_adds_a_missing_one():
    out = set_field(FLOW, "fire.nested.deep", "fitted", yaml_scalar({"date": "2025-01-02", "entries": ["a-b"]}))
    assert out.splitlines()[5] == '    deep: {value: 3, unit: men, reason: "x", bounds: [1, 9], fitted: {date: "2025-01-02", entries: ["a-b"]}}'
    out2 = set_field(FLOW, "fire.killed_fraction", "fitted", yaml_scalar({"score": "covered 1/2 -> 2/2"}))
    assert changed_lines(FLOW, out2) == [2]
    assert parse_params(out2, "f")["fire.killed_fraction"].fitted == {"score": "covered 1/2 -> 2/2"}
    assert out2.splitlines()[2].endswith('fitted: {score: "covered 1/2 -> 2/2"}}   # trailing')


def test_block_leaves_are_edited_and_extended_line_by_line():
    out = set_value(BLOCK, "group.leaf", 0.75)
    assert changed_lines(BLOCK, out) == [2]
    assert out.splitlines()[2] == "    value: 0.75   # the value"
    out2 = set_field(BLOCK, "group.leaf", "fitted", yaml_scalar({"score": "s"}))
    lines = out2.splitlines()
    assert lines[:5] == BLOCK.splitlines()[:5]
    assert lines[5] == '    fitted: {score: "s"}'
    assert lines[6:] == BLOCK.splitlines()[5:]
    assert parse_params(out2, "f")["group.leaf"].fitted == {"score": "s"}


def test_errors_name_the_problem():
    with pytest.raises(EditError, match=r"no parameter 'fire\.nothing'"):
        set_value(FLOW, "fire.nothing", 1.0)
    with pytest.raises(EditError, match="a group of parameters"):
        find_leaf(FLOW, "fire.nested")
    with pytest.raises(EditError, match="not valid YAML"):
        find_leaf("a: [1, 2", "a")
    with pytest.raises(EditError, match="cannot write"):
        yaml_scalar(float("nan"))


@pytest.mark.parametrize("value", [0.1, 1e-05, 2.0, 1234.5, 0.000123, 7, 0, -3.5])
def test_yaml_scalar_reads_back_as_the_same_number(value):
    back = yaml.safe_load(f"x: {yaml_scalar(value)}")["x"]
    assert back == value
    assert type(back) is type(value)


def test_leaves_of_the_real_parameter_files_can_be_edited():
    for path in sorted(PARAMS.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        params = parse_params(text, str(path))
        bounded = [k for k, p in params.items() if p.bounds is not None and not isinstance(p.value, (bool, str))]
        for key in bounded[:: max(1, len(bounded) // 3)]:  # a few per file: the test stays fast
            p = params[key]
            lo, hi = p.bounds
            new = type(p.value)(lo + 0.3 * (hi - lo))
            if new == p.value:
                new = type(p.value)(lo + 0.7 * (hi - lo))
            out = set_value(text, key, new)
            assert len(changed_lines(text, out)) == 1, key
            assert parse_params(out, str(path))[key].value == new


# ---------------------------------------------------------------- properties

# a prefix keeps clear of YAML's words (true, no, null, ...)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=8).map(lambda s: "p" + s)
numbers = st.one_of(
    st.integers(min_value=-10_000, max_value=10_000),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) > 1e-9),
)


@st.composite
def param_files(draw):
    """A parameter file's text: groups of flow and block leaves with comments and padding."""
    groups = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    lines = ["# generated parameter file"]
    keys = []
    for g in groups:
        lines.append(f"{g}:   # group {g}")
        leaves = draw(st.lists(names, min_size=1, max_size=4, unique=True))
        for leaf in leaves:
            value = draw(numbers)
            block = draw(st.booleans())
            pad = " " * draw(st.integers(min_value=0, max_value=3))
            comment = draw(st.sampled_from(["", "  # note", "   # value: 1, unit: x"]))
            if block:
                lines += [f"  {leaf}:", f"    value: {yaml_scalar(value)}{pad}{comment}", "    unit: u", '    reason: "r: with a colon"']
            else:
                lines.append(f"  {leaf}: {{value: {yaml_scalar(value)},{pad} unit: u, reason: \"r, {{x}}\"}}{comment}")
            keys.append(f"{g}.{leaf}")
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines) + "\n", keys


@settings(max_examples=80, deadline=None)
@given(param_files(), st.data())
def test_property_editing_a_value_keeps_every_other_line_byte_identical(file, data):
    text, keys = file
    key = data.draw(st.sampled_from(keys))
    new = data.draw(numbers)
    out = set_value(text, key, new)
    before, after = text.splitlines(keepends=True), out.splitlines(keepends=True)
    assert len(before) == len(after)
    changed = changed_lines(text, out)
    assert len(changed) <= 1
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        if i not in changed:
            assert a == b
    old_params, new_params = parse_params(text, "f"), parse_params(out, "f")
    assert new_params[key].value == new
    for k in old_params:
        if k != key:
            assert new_params[k] == old_params[k]


@settings(max_examples=40, deadline=None)
@given(param_files(), st.data())
def test_property_adding_a_note_keeps_every_other_parameter(file, data):
    text, keys = file
    key = data.draw(st.sampled_from(keys))
    note = {"date": "2025-01-02", "score": data.draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn")), max_size=30)), "entries": ["a", "b-c"]}
    out = set_field(set_value(text, key, 1.5), key, "fitted", yaml_scalar(note))
    old_params, new_params = parse_params(text, "f"), parse_params(out, "f")
    assert new_params[key].fitted == note
    assert new_params[key].value == 1.5
    assert {k: v for k, v in new_params.items() if k != key} == {k: v for k, v in old_params.items() if k != key}
    # lines before the leaf are untouched
    first = min(changed_lines(text, out) or [len(text.splitlines())])
    assert text.splitlines()[:first] == out.splitlines()[:first]
