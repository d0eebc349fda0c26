"""The model registry: declarations carry provenance, units, variability and what they lack."""

import numpy as np
import pytest

from tenderpoint.errors import UnknownModelError
from tenderpoint.pharmacology import models
from tenderpoint.pharmacology.engine import build_disposition
from tenderpoint.pharmacology.models.base import omega_sq_from_cv

REQUIRED = {"domino1984", "clements1981", "hijazi2003", "herd2007", "flint2017", "kamp2020"}


def test_registry_contents_and_default() -> None:
    assert set(models.MODELS) == REQUIRED
    assert models.all()[0].model_id == models.DEFAULT_MODEL_ID == "domino1984"
    with pytest.raises(UnknownModelError) as info:
        models.get("sigtermans2009")
    assert "domino1984" in info.value.params["known"]


@pytest.mark.parametrize("model", models.all(), ids=lambda m: m.model_id)
def test_every_model_declares_its_provenance(model) -> None:
    assert model.citation
    assert model.doi
    assert model.version.startswith(model.model_id[:4])
    assert model.population
    assert model.sampling_site
    assert model.structure
    assert model.lacks, "every shipped model lacks something; say what"
    assert all(p.unit for p in model.parameters)
    assert model.variability.source
    assert model.validity.age_years.basis
    assert model.validity.weight_kg.basis


def test_paediatric_models_are_research_only_and_kamp_is_labelled() -> None:
    assert models.get("herd2007").research_only
    assert models.get("flint2017").research_only
    kamp = models.get("kamp2020")
    assert "one-compartment" in kamp.name
    assert any("general raw-data model" in x for x in kamp.lacks)


def test_flint_omegas_follow_the_log_normal_conversion() -> None:
    # omega^2 = ln(1 + CV^2): CL 40.2 % -> 0.149802 (the reference and nlmixr2lib print 0.1497 /
    # 0.14965, off in the fourth decimal); CL_NK 104 % -> 0.733137 (nlmixr2lib: 0.73326).
    flint = models.get("flint2017").variability
    assert flint.omega_sq["cl_l_per_min"] == pytest.approx(0.149802, abs=1e-6)
    assert flint.omega_sq["cl_m_l_per_min"] == pytest.approx(0.733137, abs=1e-6)
    names, cov = flint.covariance()
    i, j = names.index("cl_l_per_min"), names.index("cl_m_l_per_min")
    assert cov[i, j] == pytest.approx(0.506 * np.sqrt(0.149802 * 0.733137), rel=1e-5)
    assert np.sqrt(omega_sq_from_cv(0.30)) == pytest.approx(0.294, abs=5e-4)  # 30 % default


def test_domino_derived_values_reference_1_2() -> None:
    # At 70 kg: V2 10.57 L, V3 178.2 L, CL 1.932 L/min; lambda 1.72424, 0.151513, 0.0060475;
    # A = 211.93, 12.958, 1.8696 ng/mL per mg.
    s = models.get("domino1984").covariates({"weight_kg": np.array([70.0])})
    assert float(s["v2_l"][0]) == pytest.approx(10.57, abs=0.005)
    assert float(s["v3_l"][0]) == pytest.approx(178.2, abs=0.05)
    assert float(s["cl_l_per_min"][0]) == pytest.approx(1.932, abs=0.0005)
    disp = build_disposition(s)
    np.testing.assert_allclose(disp.rates_per_min[0], [1.72424, 0.151513, 0.0060475], rtol=1e-5)
    np.testing.assert_allclose(
        disp.coefficients["plasma"][0] * 1000, [211.93, 12.958, 1.8696], rtol=5e-5
    )


def test_eigenvalues_match_numpy_for_every_model() -> None:
    for model in models.all():
        s = model.covariates({"weight_kg": np.array([30.0, 70.0, 120.0])})
        disp = build_disposition(
            {k: v for k, v in s.items() if k not in ("ke0_per_min", "cl_m_l_per_min", "v_m_l")}
        )
        for row in range(3):
            v1 = s["v1_l"][row]
            k = np.zeros((disp.n_disposition, disp.n_disposition))
            k[0, 0] = -s["cl_l_per_min"][row] / v1
            for j in range(1, disp.n_disposition):
                q, v = s[f"q{j + 1}_l_per_min"][row], s[f"v{j + 1}_l"][row]
                k[0, 0] -= q / v1
                k[0, j] = q / v
                k[j, 0] = q / v1
                k[j, j] = -q / v
            expected = np.sort(-np.linalg.eigvals(k).real)[::-1]
            np.testing.assert_allclose(disp.rates_per_min[row], expected, rtol=1e-10)


def test_hijazi_reproduces_paper_summary() -> None:
    # Reference PA5: CL 36.0 mL/min/kg, Vbeta = CL/lambda_z 15.4 L/kg, t1/2 4.95 h.
    s = models.get("hijazi2003").covariates({"weight_kg": np.array([70.0])})
    disp = build_disposition(s)
    cl = float(s["cl_l_per_min"][0])
    lam_z = float(disp.rates_per_min[0, -1])
    assert cl / 70 * 1000 == pytest.approx(36.0, abs=0.05)
    assert cl / lam_z / 70 == pytest.approx(15.4, abs=0.05)
    assert np.log(2) / lam_z / 60 == pytest.approx(4.95, abs=0.005)
