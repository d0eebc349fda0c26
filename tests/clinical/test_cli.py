"""`tenderpoint score`: a table for valid input, one clear line and exit code 2 otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tenderpoint.cli import app

runner = CliRunner()


def test_valid_input_from_a_file_prints_a_table(tmp_path: Path) -> None:
    path = tmp_path / "fiqr.json"
    path.write_text(
        json.dumps(
            {"function": [6, 0, 0, 0, 0, 0, 0, 0, None], "overall": [0, 0], "symptoms": [0] * 10}
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", "fiqr", "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert "total_display_1dp" in result.stdout
    assert "2.3" in result.stdout
    assert "prorated" in result.stdout
    assert "Explanation" in result.stdout


def test_valid_input_from_stdin() -> None:
    answers = {
        "wpi_areas": ["neck", "hip_left"],
        "fatigue": 1,
        "waking_unrefreshed": 1,
        "cognitive": 1,
        "headaches_6mo": False,
        "lower_abdominal_pain_or_cramps_6mo": False,
        "depression_6mo": False,
        "symptoms_generally_present_ge_3_months": True,
    }
    result = runner.invoke(app, ["score", "acr2016", "--json", "-"], input=json.dumps(answers))
    assert result.exit_code == 0, result.output
    assert "meets_criteria" in result.stdout
    assert "left_lower, axial" in result.stdout
    assert "false" in result.stdout


def test_lists_and_nulls_are_shown_readably() -> None:
    result = runner.invoke(
        app,
        ["score", "fiqr", "--json", "-"],
        input=json.dumps({"function": [0] * 8 + [None], "overall": [0, 0], "symptoms": [0] * 10}),
    )
    assert result.exit_code == 0
    assert "function_9" in result.stdout  # missing_items, a list
    result = runner.invoke(
        app, ["score", "phq9", "--json", "-"], input='{"items": [0,0,0,0,0,0,0,0,0]}'
    )
    assert result.exit_code == 0
    assert "—" in result.stdout  # difficulty not given: null


def test_empty_list_output() -> None:
    answers = {
        "wpi_areas": [],
        "fatigue": 0,
        "waking_unrefreshed": 0,
        "cognitive": 0,
        "headaches_6mo": False,
        "lower_abdominal_pain_or_cramps_6mo": False,
        "depression_6mo": False,
        "symptoms_generally_present_ge_3_months": False,
    }
    result = runner.invoke(app, ["score", "acr2016", "--json", "-"], input=json.dumps(answers))
    assert "(none)" in result.stdout


def _one_line_error(args: list[str], stdin: str | None = None) -> str:
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_invalid_answers_print_one_line_and_exit_2() -> None:
    line = _one_line_error(["score", "phq9", "--json", "-"], json.dumps({"items": [0] * 8}))
    assert line.startswith("error [wrong_item_count]: phq9: items must have exactly 9 answers")


def test_unknown_instrument_exits_2() -> None:
    line = _one_line_error(["score", "fiq", "--json", "-"], "{}")
    assert "unknown_instrument" in line


def test_unreadable_json_exits_2(tmp_path: Path) -> None:
    line = _one_line_error(["score", "phq9", "--json", "-"], "{not json")
    assert line.startswith("error [unreadable_input]")
    line = _one_line_error(["score", "phq9", "--json", str(tmp_path / "absent.json")])
    assert "absent.json" in line
