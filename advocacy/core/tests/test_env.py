from datetime import date

import pytest

from advocacy.core.env import SettingError, env_bool, env_date, env_int, env_list


def test_env_bool_reads_words_and_refuses_typos():
    assert env_bool("X", False, {"X": "yes"}) is True
    assert env_bool("X", True, {"X": "off"}) is False
    assert env_bool("X", True, {}) is True
    with pytest.raises(SettingError, match="X: expected one of true/false"):
        env_bool("X", False, {"X": "ture"})


def test_env_int_checks_bounds():
    assert env_int("P", 8000, {"P": " 9000 "}) == 9000
    with pytest.raises(SettingError, match="P: expected a whole number, found 'abc'"):
        env_int("P", 8000, {"P": "abc"})
    with pytest.raises(SettingError, match="P: expected at most 65535, found 70000"):
        env_int("P", 8000, {"P": "70000"}, maximum=65535)


def test_env_list_splits_on_commas():
    assert env_list("H", ["a"], {"H": "x, y,,z"}) == ["x", "y", "z"]
    assert env_list("H", ["a"], {}) == ["a"]


def test_env_date_reads_an_iso_day_within_bounds():
    floor, ceiling = date(1970, 1, 1), date(2099, 12, 31)
    bounds = {"minimum": floor, "maximum": ceiling}
    assert env_date("D", date(2000, 1, 1), {"D": " 1995-06-30 "}, **bounds) == date(1995, 6, 30)
    assert env_date("D", date(2000, 1, 1), {}, **bounds) == date(2000, 1, 1)
    with pytest.raises(
        SettingError, match="D: expected a date like 2000-01-01, found '2000/01/01'"
    ):
        env_date("D", date(2000, 1, 1), {"D": "2000/01/01"}, **bounds)
    with pytest.raises(SettingError, match="D: expected 1970-01-01 or later, found '1969-12-31'"):
        env_date("D", date(2000, 1, 1), {"D": "1969-12-31"}, **bounds)
    with pytest.raises(SettingError, match="D: expected 2099-12-31 or earlier, found '2100-01-01'"):
        env_date("D", date(2000, 1, 1), {"D": "2100-01-01"}, **bounds)
