from typing import Any

from django import template

from tenderpoint.web.api import tokens

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_api_tokens(context: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's live tokens and whether they may hold any."""
    user = context["request"].user
    return {"tokens": tokens.personal_tokens(user), "context": tokens.allowed_context(user)}
