"""The story checks file: the shipped one is sound, a broken one fails with file:line: field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from khasan_sim.errors import ScenarioError
from khasan_sim.story.spec import StoryError, load_story, story_path

ROOT = Path(__file__).resolve().parents[2]
DIGEST = ROOT.parent / "shared" / "history" / "khasan-1938.md"

#: The statements issue 16 asks for at least, by check id.
REQUIRED = (
    "recon-company-stopped-in-valley",
    "second-battalion-bogged-in-swamps",
    "command-tanks-among-first-hit",
    "tanks-could-not-climb-machine-gun-hill",
    "preparation-did-not-suppress-artillery",
    "japanese-counterattacked-many-times-7-aug",
    "japanese-kept-ground-near-zaozernaya",
    "island-batteries-lost-duel-9-aug",
    "about-a-dozen-attacks-10-aug",
    "soviets-lost-more-men",
)

GOOD_CHECK = """\
  - id: a-check
    who: someone
    what: something
    when: 6 August
    words: the words
    observable: a count
    observe: {kind: counterattacks, side: japanese, from: 1938-08-07T00:00, to: 1938-08-08T00:00}
    threshold: {at_least: 6}
    reason: because
"""


def write(
    tmp_path: Path, checks: str, head: str = "scenario: khasan-1938-historical\ndigest: d.md\n"
) -> Path:
    path = tmp_path / "story.yaml"
    path.write_text(head + "checks:\n" + checks, encoding="utf-8")
    return path


def test_the_shipped_file_loads_and_covers_the_issue():
    assert story_path() == ROOT / "scenarios" / "record" / "story.yaml"
    story = load_story()
    ids = [c.id for c in story.checks]
    assert story.scenario == "khasan-1938-historical"
    assert set(REQUIRED) <= set(ids)
    for c in story.checks:
        assert c.reason.strip() and c.words.strip() and c.observable.strip()
        assert (c.model_lacks is None) == (c.threshold is not None)


def test_the_words_are_the_digests_own():
    if not DIGEST.is_file():
        pytest.skip("../shared/history/khasan-1938.md is not beside this checkout")
    digest = " ".join(DIGEST.read_text(encoding="utf-8").split())
    for c in load_story().checks:
        words = " ".join(c.words.split())
        assert words in digest, f"{c.id}: its words are not quoted verbatim from the digest"


def test_a_good_file_loads(tmp_path):
    story = load_story(write(tmp_path, GOOD_CHECK))
    assert story.checks[0].threshold.text() == "at least 6"
    assert len(story.observe_digest) == 64


@pytest.mark.parametrize(
    ("checks", "line", "fragment"),
    [
        (GOOD_CHECK.replace("kind: counterattacks", "kind: counter_attacks"), 10, "kind"),
        (
            GOOD_CHECK.replace("{at_least: 6}", "{at_least: 6, at_most: 9}"),
            11,
            "expected exactly one of",
        ),
        (GOOD_CHECK.replace("{at_least: 6}", "{at_least: many}"), 11, "threshold.at_least"),
        (GOOD_CHECK.replace("    reason: because\n", ""), 4, "reason"),
        (
            GOOD_CHECK.replace("    words: the words\n", "    word: the words\n"),
            8,
            "unknown field 'word'",
        ),
        (GOOD_CHECK.replace("to: 1938-08-08T00:00", "to: 1938-08-06T00:00"), 10, "not after from"),
        (
            GOOD_CHECK.replace("    threshold: {at_least: 6}\n", ""),
            10,
            "observe and threshold are required",
        ),
        (GOOD_CHECK + GOOD_CHECK, 13, "duplicate check id 'a-check' (first at line 4)"),
    ],
    ids=[
        "unknown-kind",
        "two-tests",
        "not-a-number",
        "no-reason",
        "misspelt-field",
        "window-backwards",
        "no-threshold",
        "duplicate-id",
    ],
)
def test_a_broken_file_names_file_line_and_field(tmp_path, checks, line, fragment):
    path = write(tmp_path, checks)
    with pytest.raises(StoryError) as info:
        load_story(path)
    msg = str(info.value)
    assert isinstance(info.value, ScenarioError)
    assert "\n" not in msg
    assert msg.startswith(f"{path}:{line}: checks[")
    assert fragment in msg


def test_not_yaml_and_no_file(tmp_path):
    path = tmp_path / "story.yaml"
    path.write_text("checks: [\n", encoding="utf-8")
    with pytest.raises(StoryError, match=re.escape(str(path)) + r":\d+: not valid YAML"):
        load_story(path)
    with pytest.raises(StoryError, match="no such file"):
        load_story(tmp_path / "missing.yaml")


def test_model_lacks_is_kept_not_dropped(tmp_path):
    lacking = GOOD_CHECK.replace(
        "    observe: {kind: counterattacks, side: japanese, from: 1938-08-07T00:00, to: 1938-08-08T00:00}\n    threshold: {at_least: 6}\n",
        "    model_lacks: no trains\n",
    )
    story = load_story(write(tmp_path, lacking))
    assert story.checks[0].model_lacks == "no trains"
