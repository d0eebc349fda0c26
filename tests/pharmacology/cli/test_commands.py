"""The pharmacology commands through typer's CliRunner (no other command modules needed)."""

from pathlib import Path

from typer.testing import CliRunner

import tenderpoint.cli.pharmacology  # noqa: F401  (registers the commands)
from tenderpoint.cli.app import app

runner = CliRunner()


def test_models_lists_every_model_with_citation() -> None:
    result = runner.invoke(app, ["models"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for model_id in (
        "domino1984",
        "clements1981",
        "hijazi2003",
        "herd2007",
        "flint2017",
        "kamp2020",
    ):
        assert model_id in result.output
    assert "10.1093/bja/aeg028" in result.output
    assert "research mode only" in result.output


def test_simulate_protocol_with_population_and_svg(tmp_path: Path) -> None:
    svg = tmp_path / "plot.svg"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--model",
            "domino1984",
            "--weight",
            "70",
            "--protocol",
            "depression-0.5-over-40",
            "--population",
            "500",
            "--svg",
            str(svg),
            "--every",
            "20",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "240.3" in result.output  # VP1 Cp(40) for 70 kg
    assert "plasma P50" in result.output
    assert "Dosing weight" in result.output
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg")
    assert "</svg>" in text


def test_simulate_direct_dose_refused_beyond_hard_limit() -> None:
    result = runner.invoke(
        app,
        ["simulate", "--weight", "70", "--dose-mg-per-kg-per-h", "3", "--duration-min", "60"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "(dose_limit, rate_mg_per_kg_per_h)" in result.output
    assert "Infusion rate 3 mg/kg/h is above the hard limit of 2 mg/kg/h" in result.output


def test_simulate_bad_input_names_the_field() -> None:
    result = runner.invoke(
        app, ["simulate", "--weight", "70", "--sex", "x", "--protocol", "depression-0.5-over-40"]
    )
    assert result.exit_code == 2
    assert "sex" in result.output


def test_tci_plasma_and_capped_effect_site() -> None:
    result = runner.invoke(
        app,
        ["tci", "--weight", "70", "--target", "150", "--duration-min", "30"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "4.526" in result.output  # first 10-s rate, reference 5.5
    capped = runner.invoke(
        app,
        ["tci", "--weight", "70", "--target", "150", "--site", "effect", "--cap-ratio", "2"],
        env={"COLUMNS": "200"},
    )
    assert capped.exit_code == 0, capped.output
    assert "peak plasma 300" in capped.output
    uncapped = runner.invoke(
        app,
        ["tci", "--weight", "70", "--target", "150", "--site", "effect"],
        env={"COLUMNS": "300"},
    )
    assert uncapped.exit_code == 2
    assert "(dose_limit, plasma_cap_ratio)" in uncapped.output
    assert "needs a plasma cap" in uncapped.output


def test_research_models_need_the_research_flag() -> None:
    args = [
        "simulate",
        "--model",
        "herd2007",
        "--weight",
        "40",
        "--age",
        "30",
        "--protocol",
        "depression-0.5-over-40",
        "--every",
        "40",
    ]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2
    assert "research_only_model" in refused.output
    allowed = runner.invoke(app, [*args, "--research"], env={"COLUMNS": "200"})
    assert allowed.exit_code == 0, allowed.output
    assert "out of validity range" in allowed.output


def test_tci_product_option_applies_the_esketamine_limits() -> None:
    # 300 ng/mL: a soft warning for racemic, above the 200 ng/mL esketamine hard limit.
    args = ["tci", "--weight", "70", "--target", "300", "--duration-min", "30"]
    assert runner.invoke(app, args, env={"COLUMNS": "200"}).exit_code == 0
    result = runner.invoke(app, [*args, "--product", "esketamine"], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "TCI target 300 ng/mL is above the hard limit of 200 ng/mL" in result.output
