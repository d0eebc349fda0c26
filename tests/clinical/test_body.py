"""The body vocabulary matches reference clinical.md §1, §2 and §6 (checked against its tables)."""

from __future__ import annotations

from tenderpoint.clinical import body


def test_nineteen_wpi_areas_without_wrist_ankle_or_foot() -> None:
    ids = [area.id for area in body.WPI_AREAS]
    assert len(ids) == len(set(ids)) == 19
    assert not any(word in i for i in ids for word in ("wrist", "ankle", "foot"))


def test_region_membership_follows_the_2016_table() -> None:
    assert {r.id: set(r.areas) for r in body.REGIONS} == {
        "left_upper": {"shoulder_girdle_left", "upper_arm_left", "lower_arm_left"},
        "right_upper": {"shoulder_girdle_right", "upper_arm_right", "lower_arm_right"},
        "left_lower": {"hip_left", "upper_leg_left", "lower_leg_left"},
        "right_lower": {"hip_right", "upper_leg_right", "lower_leg_right"},
        "axial": {"neck", "upper_back", "lower_back"},
    }
    excluded = {a.id for a in body.WPI_AREAS if a.region_2016 is None}
    assert excluded == {"jaw_left", "jaw_right", "chest", "abdomen"}


def test_1990_attributes() -> None:
    by_id = body.WPI_AREA_BY_ID
    assert {a.id for a in body.WPI_AREAS if a.axial_1990} == {
        "neck",
        "upper_back",
        "lower_back",
        "chest",
    }
    assert by_id["lower_back"].segment_1990 == "below"
    assert by_id["upper_back"].segment_1990 == "above"
    assert by_id["hip_left"].segment_1990 == "below"
    assert by_id["abdomen"].segment_1990 is None
    assert by_id["abdomen"].axial_1990 is False
    assert by_id["jaw_right"].side_1990 == "right"
    assert by_id["chest"].side_1990 == "midline"


def test_eighteen_tender_points_in_nine_pairs() -> None:
    assert len(body.TENDER_POINTS) == 18
    pairs = {p.pair for p in body.TENDER_POINTS}
    assert pairs == {
        "occiput",
        "low_cervical",
        "trapezius",
        "supraspinatus",
        "second_rib",
        "lateral_epicondyle",
        "gluteal",
        "greater_trochanter",
        "knee",
    }
    assert body.TENDER_POINT_BY_ID["knee_left"].label == "Knee, left"


def test_nine_aapt_sites() -> None:
    assert [s.id for s in body.AAPT_SITES] == [
        "head",
        "left_arm",
        "right_arm",
        "chest",
        "abdomen",
        "upper_back_and_spine",
        "lower_back_and_spine_including_buttocks",
        "left_leg",
        "right_leg",
    ]


def test_regions_with_pain_in_canonical_order() -> None:
    assert body.regions_with_pain(["lower_back", "chest", "hip_right", "jaw_left"]) == [
        "right_lower",
        "axial",
    ]


def test_aapt_derivation_from_wpi() -> None:
    assert body.aapt_sites_from_wpi(["jaw_left", "hip_right", "neck", "upper_leg_left"]) == [
        "head",
        "upper_back_and_spine",
        "lower_back_and_spine_including_buttocks",
        "left_leg",
    ]
    assert body.aapt_sites_from_wpi([]) == []


def test_every_place_has_a_label() -> None:
    for area in body.WPI_AREAS:
        assert area.label
        assert area.phrase
    for point in body.TENDER_POINTS:
        assert point.label
        assert point.site
    assert body.in_wpi_order(["neck", "jaw_left"]) == ["jaw_left", "neck"]
