"""Staff free text set into our sentences: one full stop, never two."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from tenderpoint.web.common.templatetags.text_tags import sentence


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Ondansetron 4 mg IV", "Ondansetron 4 mg IV."),
        ("Ondansetron 4 mg IV.", "Ondansetron 4 mg IV."),
        ("Resolved within 30 min.  ", "Resolved within 30 min."),
        ("Resolved?", "Resolved?"),
        ("", ""),
    ],
)
def test_a_sentence_ends_in_one_full_stop(text, shown):
    assert sentence(text) == shown


def test_the_text_is_still_escaped():
    rendered = Template("{% load text_tags %}{{ t|sentence }}").render(Context({"t": "<b>x"}))
    assert rendered == "&lt;b&gt;x."
