"""ScoreResult in a notebook: a polars row and an HTML table with the scoring steps."""

import polars as pl

from tenderpoint.clinical import evaluate_fibromyalgia, score

PHQ9 = {"items": [1, 1, 1, 1, 1, 1, 1, 1, 2], "difficulty": 1}


def test_to_frame_is_one_row_of_every_output() -> None:
    result = score("phq9", PHQ9)
    frame = result.to_frame()
    assert frame.height == 1
    row = frame.row(0, named=True)
    assert row["instrument_id"] == "phq9"
    assert row["version"] == result.version
    assert row["total"] == 10  # 8 x 1 + 2, Kroenke 2001
    assert {k: row[k] for k in result.outputs} == result.as_dict()


def test_frames_of_different_instruments_stack() -> None:
    frames = [score("phq9", PHQ9).to_frame(), score("gad7", {"items": [3] * 7}).to_frame()]
    stacked = pl.concat(frames, how="diagonal")
    assert stacked["instrument_id"].to_list() == ["phq9", "gad7"]
    assert stacked["total"].to_list() == [10, 21]


def test_repr_html_shows_outputs_and_steps() -> None:
    result = score("phq9", PHQ9)
    text = result._repr_html_()
    assert f"<caption>phq9 ({result.version})</caption>" in text
    assert "<th>total</th><td>10</td>" in text
    assert all(f"<p>{step}</p>" in text or "&" in step for step in result.steps)


def test_evaluation_html_lists_each_criterion_result() -> None:
    evaluation = evaluate_fibromyalgia(
        wpi_areas=[],
        fatigue=0,
        waking_unrefreshed=0,
        cognitive=0,
        headaches_6mo=False,
        lower_abdominal_pain_or_cramps_6mo=False,
        depression_6mo=False,
        duration_ge_3_months=True,
        other_disorder_explains_pain=False,
    )
    text = evaluation._repr_html_()
    for key in evaluation.results:
        assert f"<th>{key}</th><td>False</td>" in text
