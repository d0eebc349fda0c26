from typer.testing import CliRunner

from tenderpoint.cli import app


def test_cohort_command_prints_a_labelled_summary() -> None:
    result = CliRunner().invoke(app, ["cohort", "--patients", "30", "--days", "60"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC DATA" in result.output
    assert "Wilson" in result.output
    assert "range (unsure)" in result.output  # durability's range, issue 14


def test_cohort_command_rejects_an_unknown_stratum() -> None:
    result = CliRunner().invoke(app, ["cohort", "--patients", "5", "--days", "40", "--by", "x"])
    assert result.exit_code != 0
