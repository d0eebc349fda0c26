"""One body-map vocabulary for every fibromyalgia criterion (reference clinical.md §1, §2, §6).

Pain location is captured once, as a set of the 19 Widespread Pain Index (WPI) area ids, and
every criterion derives what it needs from it: the five 2016 regions, the 1990 side / segment /
axial attributes. The 18 tender points (1990 examination) and the 9 AAPT 2019 sites are separate
vocabularies because they are different questions. The web body map and every scorer use the
ids and labels defined here, so there is exactly one spelling of each place on the body.

Decisions where the sources are silent [P in the reference]: the abdomen has no 1990 side,
segment or axial attribute (the 1990 paper does not mention it); the jaw is above the waist and
lateral; the AAPT sites can be derived approximately from a WPI map, but asking them directly is
preferred.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Side = Literal["left", "right", "midline"]
Segment = Literal["above", "below"]


@dataclass(frozen=True, slots=True)
class WpiArea:
    """One of the 19 Widespread Pain Index areas (identical in 2010, 2011 and 2016)."""

    id: str
    label: str
    """The WPI form label, e.g. "Shoulder girdle, left"."""
    phrase: str
    """The same place inside a sentence, e.g. "left shoulder girdle"."""
    region_2016: str | None
    """The 2016 generalized-pain region, or None for jaw, chest and abdomen (excluded)."""
    side_1990: Side
    segment_1990: Segment | None
    """Above or below the waist for the 1990 rule; None where 1990 does not use the area."""
    axial_1990: bool


@dataclass(frozen=True, slots=True)
class Region:
    """One of the five 2016 regions that count toward generalized pain."""

    id: str
    label: str
    areas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TenderPoint:
    """One of the 18 ACR 1990 tender-point sites (nine bilateral pairs)."""

    id: str
    pair: str
    side: Literal["left", "right"]
    label: str
    """Form label, e.g. "Knee, left"."""
    phrase: str
    """The same point inside a sentence, e.g. "left knee"."""
    site: str
    """Where to palpate (approximately 4 kg of force)."""


@dataclass(frozen=True, slots=True)
class AaptSite:
    """One of the 9 AAPT 2019 multisite-pain sites."""

    id: str
    label: str
    from_wpi: tuple[str, ...]
    """WPI areas from which the site is derived approximately (the WPI has no head item)."""


def _area(
    id_: str,
    label: str,
    phrase: str,
    region: str | None,
    side: Side,
    segment: Segment | None,
    axial: bool = False,
) -> WpiArea:
    return WpiArea(id_, label, phrase, region, side, segment, axial)


WPI_AREAS: tuple[WpiArea, ...] = (
    _area("jaw_left", "Jaw, left", "left jaw", None, "left", "above"),
    _area("jaw_right", "Jaw, right", "right jaw", None, "right", "above"),
    _area(
        "shoulder_girdle_left",
        "Shoulder girdle, left",
        "left shoulder girdle",
        "left_upper",
        "left",
        "above",
    ),
    _area(
        "shoulder_girdle_right",
        "Shoulder girdle, right",
        "right shoulder girdle",
        "right_upper",
        "right",
        "above",
    ),
    _area("upper_arm_left", "Upper arm, left", "left upper arm", "left_upper", "left", "above"),
    _area(
        "upper_arm_right", "Upper arm, right", "right upper arm", "right_upper", "right", "above"
    ),
    _area("lower_arm_left", "Lower arm, left", "left lower arm", "left_upper", "left", "above"),
    _area(
        "lower_arm_right", "Lower arm, right", "right lower arm", "right_upper", "right", "above"
    ),
    _area("hip_left", "Hip (buttock, trochanter), left", "left hip", "left_lower", "left", "below"),
    _area(
        "hip_right",
        "Hip (buttock, trochanter), right",
        "right hip",
        "right_lower",
        "right",
        "below",
    ),
    _area("upper_leg_left", "Upper leg, left", "left upper leg", "left_lower", "left", "below"),
    _area(
        "upper_leg_right", "Upper leg, right", "right upper leg", "right_lower", "right", "below"
    ),
    _area("lower_leg_left", "Lower leg, left", "left lower leg", "left_lower", "left", "below"),
    _area(
        "lower_leg_right", "Lower leg, right", "right lower leg", "right_lower", "right", "below"
    ),
    _area("neck", "Neck", "neck", "axial", "midline", "above", axial=True),
    _area("upper_back", "Upper back", "upper back", "axial", "midline", "above", axial=True),
    # 1990: "low back pain is considered lower segment pain".
    _area("lower_back", "Lower back", "lower back", "axial", "midline", "below", axial=True),
    # 1990: anterior chest is axial; 2016 excludes the chest from generalized pain.
    _area("chest", "Chest", "chest", None, "midline", "above", axial=True),
    _area("abdomen", "Abdomen", "abdomen", None, "midline", None),
)

WPI_AREA_BY_ID: dict[str, WpiArea] = {area.id: area for area in WPI_AREAS}
WPI_AREA_IDS: frozenset[str] = frozenset(WPI_AREA_BY_ID)
WPI_ORDER: dict[str, int] = {area.id: index for index, area in enumerate(WPI_AREAS)}

REGIONS: tuple[Region, ...] = tuple(
    Region(
        region_id,
        label,
        tuple(area.id for area in WPI_AREAS if area.region_2016 == region_id),
    )
    for region_id, label in (
        ("left_upper", "Left upper region"),
        ("right_upper", "Right upper region"),
        ("left_lower", "Left lower region"),
        ("right_lower", "Right lower region"),
        ("axial", "Axial region"),
    )
)
REGION_BY_ID: dict[str, Region] = {region.id: region for region in REGIONS}
REGION_IDS: tuple[str, ...] = tuple(region.id for region in REGIONS)

_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("occiput", "Occiput", "suboccipital muscle insertions"),
    ("low_cervical", "Low cervical", "anterior aspects of the intertransverse spaces at C5-C7"),
    ("trapezius", "Trapezius", "midpoint of the upper border"),
    (
        "supraspinatus",
        "Supraspinatus",
        "origins, above the scapular spine near the medial border",
    ),
    (
        "second_rib",
        "Second rib",
        "second costochondral junctions, just lateral to the junctions on the upper surfaces",
    ),
    ("lateral_epicondyle", "Lateral epicondyle", "2 cm distal to the epicondyles"),
    (
        "gluteal",
        "Gluteal",
        "upper outer quadrants of the buttocks, in the anterior fold of the muscle",
    ),
    ("greater_trochanter", "Greater trochanter", "posterior to the trochanteric prominence"),
    ("knee", "Knee", "medial fat pad proximal to the joint line"),
)

TENDER_POINTS: tuple[TenderPoint, ...] = tuple(
    TenderPoint(f"{pair}_{side}", pair, side, f"{label}, {side}", f"{side} {label.lower()}", site)
    for pair, label, site in _PAIRS
    for side in ("left", "right")
)
TENDER_POINT_BY_ID: dict[str, TenderPoint] = {point.id: point for point in TENDER_POINTS}
TENDER_POINT_ORDER: dict[str, int] = {point.id: index for index, point in enumerate(TENDER_POINTS)}

AAPT_SITES: tuple[AaptSite, ...] = (
    AaptSite("head", "Head", ("jaw_left", "jaw_right")),
    AaptSite("left_arm", "Left arm", ("shoulder_girdle_left", "upper_arm_left", "lower_arm_left")),
    AaptSite(
        "right_arm", "Right arm", ("shoulder_girdle_right", "upper_arm_right", "lower_arm_right")
    ),
    AaptSite("chest", "Chest", ("chest",)),
    AaptSite("abdomen", "Abdomen", ("abdomen",)),
    AaptSite("upper_back_and_spine", "Upper back and spine", ("neck", "upper_back")),
    AaptSite(
        "lower_back_and_spine_including_buttocks",
        "Lower back and spine, including buttocks",
        ("lower_back", "hip_left", "hip_right"),
    ),
    AaptSite("left_leg", "Left leg", ("upper_leg_left", "lower_leg_left")),
    AaptSite("right_leg", "Right leg", ("upper_leg_right", "lower_leg_right")),
)
AAPT_SITE_BY_ID: dict[str, AaptSite] = {site.id: site for site in AAPT_SITES}
AAPT_ORDER: dict[str, int] = {site.id: index for index, site in enumerate(AAPT_SITES)}


def regions_with_pain(areas: Iterable[str]) -> list[str]:
    """The 2016 regions that contain at least one painful area, in the canonical region order.

    Jaw, chest and abdomen belong to no region, so they never count toward generalized pain.
    """
    painful = areas if isinstance(areas, (set, frozenset)) else set(areas)
    return [region.id for region in REGIONS if not painful.isdisjoint(region.areas)]


def aapt_sites_from_wpi(areas: Iterable[str]) -> list[str]:
    """Approximate AAPT 2019 sites from a WPI map (the reference prefers asking them directly).

    The WPI has no head item, so ``head`` is derived from jaw pain only and may under-count.
    """
    painful = set(areas)
    return [site.id for site in AAPT_SITES if painful.intersection(site.from_wpi)]


def in_wpi_order(areas: Iterable[str]) -> list[str]:
    """The given WPI area ids sorted in the order of the WPI form."""
    return sorted(areas, key=WPI_ORDER.__getitem__)
