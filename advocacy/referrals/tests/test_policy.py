from pathlib import Path

import pytest

from advocacy.referrals.policy import PolicyError, load


@pytest.mark.parametrize(
    ("status", "deal_cents", "bonus_cents"),
    [
        ("meeting_booked", None, 100_00),
        ("closed_won", 99_999_99, 1_000_00),
        ("closed_won", 100_000_00, 5_000_00),
        ("qualified", 100_000_00, 0),
        ("closed_lost", 100_000_00, 0),
    ],
)
def test_every_declared_bonus(status: str, deal_cents: int | None, bonus_cents: int) -> None:
    assert load().bonus_cents(status, deal_cents) == bonus_cents


def test_a_bad_policy_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(
        "version: 1\nmeeting_booked: 100\nclosed_won: -1\n"
        "enterprise: 5000\nenterprise_min_dollars: 100000\n"
    )
    with pytest.raises(PolicyError) as error:
        load(path)
    assert str(error.value) == f"{path}: closed_won must be a whole number of dollars, 0 or more"
