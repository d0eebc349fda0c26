"""Small pieces the portal adds to pages of other apps (the staff home, the patient chart)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("questionnaires/_urgent_flags.html", takes_context=True)
def urgent_flags(context: dict[str, Any]) -> dict[str, Any]:
    """Unacknowledged PHQ-9 item-9 flags of the user's clinic (care team only)."""
    from tenderpoint.web.questionnaires.services import open_flags_for

    user = context["request"].user
    flags = open_flags_for(user) if getattr(user, "is_care_team", False) else []
    return {"flags": flags}


@register.inclusion_tag("portal/_chart_links.html", takes_context=True)
def portal_chart_links(context: dict[str, Any], patient: Any) -> dict[str, Any]:
    """Links to the diary, questionnaires and messages of a patient, for the care team."""
    user = context["request"].user
    return {"patient": patient, "show": getattr(user, "is_care_team", False)}
