"""The visitors' self-check is scored by the clinical core and framed as screening."""

from __future__ import annotations

import pytest

from tenderpoint.clinical import body
from tenderpoint.web.public.models import SelfCheckPage

pytestmark = pytest.mark.django_db

NINE_AREAS_FOUR_REGIONS = [
    "shoulder_girdle_left",
    "upper_arm_left",
    "shoulder_girdle_right",
    "upper_arm_right",
    "hip_left",
    "upper_leg_left",
    "hip_right",
    "upper_leg_right",
    "neck",
]


def answers(areas, fatigue=2, waking=2, cognitive=1, yes=("headaches_6mo",)):
    data = {
        "wpi_areas": areas,
        "fatigue": fatigue,
        "waking_unrefreshed": waking,
        "cognitive": cognitive,
        "symptoms_generally_present_ge_3_months": "yes",
    }
    for field in ("headaches_6mo", "lower_abdominal_pain_or_cramps_6mo", "depression_6mo"):
        data[field] = "yes" if field in yes else "no"
    return data


@pytest.fixture
def url(site):
    return SelfCheckPage.objects.get().url


def test_the_form_lists_all_19_areas(url, client):
    body_html = client.get(url).content.decode()
    for area in body.WPI_AREAS:
        assert f'value="{area.id}"' in body_html
    assert "not a diagnosis" in body_html


def test_a_pattern_that_matches_the_2016_criteria(url, client):
    # WPI 9 (>= 7) with SSS 2+2+1+1 = 6 (>= 5), pain in 4 of 5 regions, 3 months: met.
    response = client.post(url, answers(NINE_AREAS_FOUR_REGIONS))
    html = response.content.decode()
    assert response.status_code == 200
    assert "9 of 19 areas" in html
    assert "6 of 12" in html
    assert "match the pattern" in html
    assert "does not mean you have fibromyalgia" in html


def test_high_scores_without_generalized_pain_do_not_match(url, client):
    # Seven areas, all in the upper body and axial: 3 regions, so 2016 is not met.
    upper = [
        "shoulder_girdle_left",
        "upper_arm_left",
        "lower_arm_left",
        "shoulder_girdle_right",
        "upper_arm_right",
        "neck",
        "upper_back",
    ]
    html = client.post(url, answers(upper, 3, 3, 3)).content.decode()
    assert "7 of 19 areas" in html
    assert "do not match" in html


def test_unanswered_questions_are_not_scored(url, client):
    data = answers(NINE_AREAS_FOUR_REGIONS)
    del data["fatigue"]
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Please answer every question" in response.content.decode()
