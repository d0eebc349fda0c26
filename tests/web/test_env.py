"""The environment readers reject malformed values instead of guessing."""

from __future__ import annotations

import pytest

from tenderpoint.errors import ConfigurationError
from tenderpoint.web.env import env_bool, env_int, env_list, env_secret, env_str


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("on", True), ("no", False), ("0", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("TP_FLAG", raw)
    assert env_bool("TP_FLAG", default=not expected) is expected


def test_env_bool_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("TP_FLAG", raising=False)
    assert env_bool("TP_FLAG", default=True) is True
    monkeypatch.setenv("TP_FLAG", "  ")
    assert env_bool("TP_FLAG", default=False) is False


def test_env_bool_rejects_a_typo(monkeypatch):
    monkeypatch.setenv("TP_FLAG", "flase")
    with pytest.raises(ConfigurationError) as info:
        env_bool("TP_FLAG", default=False)
    assert info.value.code == "malformed_bool"
    assert info.value.field == "TP_FLAG"
    assert "'flase'" in info.value.message


def test_env_int(monkeypatch):
    monkeypatch.setenv("TP_N", "15")
    assert env_int("TP_N", default=1) == 15
    monkeypatch.setenv("TP_N", "fifteen")
    with pytest.raises(ConfigurationError, match="not a whole number"):
        env_int("TP_N", default=1)
    monkeypatch.setenv("TP_N", "0")
    with pytest.raises(ConfigurationError, match="below its minimum of 1"):
        env_int("TP_N", default=1, minimum=1)


def test_env_list_and_str(monkeypatch):
    monkeypatch.setenv("TP_HOSTS", " a.example , b.example,, ")
    assert env_list("TP_HOSTS", ["x"]) == ["a.example", "b.example"]
    monkeypatch.delenv("TP_HOSTS")
    assert env_list("TP_HOSTS", ["x"]) == ["x"]
    assert env_str("TP_HOSTS", "d") == "d"


def test_env_secret_from_value_or_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TP_SECRET", "direct")
    assert env_secret("TP_SECRET") == "direct"
    monkeypatch.delenv("TP_SECRET")
    path = tmp_path / "secret"
    path.write_text("from-file\n")
    monkeypatch.setenv("TP_SECRET_FILE", str(path))
    assert env_secret("TP_SECRET") == "from-file"


def test_env_secret_refuses_ambiguity_and_bad_files(monkeypatch, tmp_path):
    monkeypatch.setenv("TP_SECRET", "a")
    monkeypatch.setenv("TP_SECRET_FILE", str(tmp_path / "x"))
    with pytest.raises(ConfigurationError, match="keep one"):
        env_secret("TP_SECRET")
    monkeypatch.delenv("TP_SECRET")
    with pytest.raises(ConfigurationError, match="cannot be read"):
        env_secret("TP_SECRET")
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("TP_SECRET_FILE", str(empty))
    with pytest.raises(ConfigurationError, match="empty file"):
        env_secret("TP_SECRET")
