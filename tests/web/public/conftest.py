from __future__ import annotations

from pathlib import Path

import pytest

from tenderpoint.web.public.content_loader import load_public_content
from tests.web.conftest import world  # noqa: F401

SAMPLE_CONTENT = Path(__file__).parent / "sample_content"


@pytest.fixture
def site(db):
    """The public site built from the small sample content of these tests."""
    return load_public_content(SAMPLE_CONTENT)
