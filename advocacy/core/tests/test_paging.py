"""One page of a list, and where the next begins."""

from __future__ import annotations

from advocacy.core.management.paging import Page


def test_a_first_page_of_many() -> None:
    page = Page(total=450, offset=0, limit=200, shown=200)
    assert page.caption("ask") == "450 ask(s), showing 1-200; more with --offset 200"
    assert page.as_dict() == {"total": 450, "offset": 0, "limit": 200, "next_offset": 200}


def test_the_last_page() -> None:
    page = Page(total=450, offset=400, limit=200, shown=50)
    assert page.caption("ask") == "450 ask(s), showing 401-450"
    assert page.next_offset is None


def test_everything_on_one_page_and_an_empty_list() -> None:
    assert Page(total=3, offset=0, limit=200, shown=3).caption("asset") == "3 asset(s)"
    assert Page(total=0, offset=0, limit=200, shown=0).caption("asset") == "0 asset(s)"
    assert Page(total=1_234, offset=0, limit=5, shown=5).caption("reference request") == (
        "1,234 reference request(s), showing 1-5; more with --offset 5"
    )
