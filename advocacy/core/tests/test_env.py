import pytest

from advocacy.core.env import SettingError, env_bool, env_int, env_list


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
