"""Template rules that axe enforces only on the pages a browser test happens to visit.

A horizontally scrolling table wrapper must be reachable by keyboard and named, or a phone user
who cannot swipe cannot read the table's hidden columns (axe ``scrollable-region-focusable``,
WCAG 2.1.1). Checked in every template so a new table cannot forget it.
"""

from __future__ import annotations

import re
from pathlib import Path

import tenderpoint.web

WEB = Path(tenderpoint.web.__file__).parent
WRAPPER = re.compile(r"<div\b[^>]*\bclass=\"[^\"]*\btable-scroll\b[^\"]*\"[^>]*>")


def test_every_scrolling_table_is_focusable_and_named():
    offenders = []
    for template in sorted(WEB.rglob("templates/**/*.html")):
        for tag in WRAPPER.findall(template.read_text(encoding="utf-8")):
            if not all(part in tag for part in ('tabindex="0"', 'role="region"', "aria-label=")):
                offenders.append(f"{template.relative_to(WEB)}: {tag}")
    assert not offenders, "\n".join(offenders)


def test_the_rule_sees_the_wrappers():
    found = sum(
        len(WRAPPER.findall(t.read_text(encoding="utf-8")))
        for t in WEB.rglob("templates/**/*.html")
    )
    assert found >= 20
