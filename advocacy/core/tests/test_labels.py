"""Codes read as labels: the registered vocabularies, then the code's own words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from advocacy.core.labels import humanize, label, person


@pytest.mark.parametrize(
    ("code", "vocabulary", "words"),
    [
        ("power_user", "persona", "Power user"),
        ("decision_maker", "persona", "Decision maker"),
        ("mid_market", "size_band", "Mid-market (100-999)"),
        ("emea", "region", "Europe, Middle East & Africa"),
        ("csm_nomination", "moment", "CSM nomination"),
        ("nps", "moment", "NPS answer"),
        ("advocate_review", "ask_status", "Advocate review"),
        ("csm", "channel", "By the CSM"),
        # A code no vocabulary holds still reads as words.
        ("csm_nomination", "", "CSM nomination"),
        ("advocate_review", "", "Advocate review"),
        ("nps-promoter-review", "play", "NPS promoter review"),
        ("size_band", "", "Size band"),
        ("saas", "nowhere", "SaaS"),
        ("", "persona", "—"),
        (None, "", "—"),
    ],
)
def test_label(code: str | None, vocabulary: str, words: str) -> None:
    assert label(code, vocabulary) == words


def test_names_looked_up_by_the_caller_come_first() -> None:
    titles = {"nps-promoter-review": "NPS promoter → review request"}
    assert label("nps-promoter-review", "play", titles) == "NPS promoter → review request"
    assert label("renewal-testimonial", "play", titles) == "Renewal testimonial"


def test_humanize_keeps_acronyms_first() -> None:
    assert (humanize("nps_answer"), humanize("__"), humanize("Big_Deal")) == (
        "NPS answer",
        "—",
        "Big deal",
    )


def test_person_is_the_full_name_else_the_username() -> None:
    ann = SimpleNamespace(get_full_name=lambda: "Ann Archer", get_username=lambda: "ann")
    bot = SimpleNamespace(get_full_name=lambda: "", get_username=lambda: "csm.bot")
    assert (person(ann), person(bot), person(None)) == ("Ann Archer", "csm.bot", "")
