"""docs/roles.md shows the permission table as it is."""

from pathlib import Path

from advocacy.people.permissions import markdown_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "roles.md"


def test_the_roles_page_shows_the_table_in_force() -> None:
    assert markdown_table() in DOC.read_text()
