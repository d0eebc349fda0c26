"""Template helpers of the public site."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from wagtail.rich_text import RichText, expand_db_html

from tenderpoint.web.public.citations import render_markers
from tenderpoint.web.public.content_loader import clean_html

register = template.Library()


@register.filter
def cite(value: Any, numbers: dict[str, int] | None) -> SafeString:
    """Render rich text with numbered citations.

    Sanitised again on the way out, so HTML that reached the database some other way (a
    migration, a shell) cannot carry script; the citation links are added after cleaning.
    """
    source = value.source if isinstance(value, RichText) else str(value or "")
    cleaned = clean_html(expand_db_html(source))
    return mark_safe(render_markers(cleaned, numbers or {}))


@register.simple_tag(takes_context=True)
def public_nav(context: template.Context) -> list[Any]:
    """The home page's live children that belong in the main navigation, in tree order."""
    from tenderpoint.web.public.models import HomePage

    home = HomePage.objects.live().first()
    if home is None:
        return []
    return [home, *home.get_children().live().in_menu()]


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
