"""Static files: whitenoise's hashed, pre-compressed storage, gzip only.

Brotli arrived as a dependency of WeasyPrint's font handling, and whitenoise compresses every
static file with it at its highest quality when it is installed: 29 s of CPU in the demo's
first ``collectstatic`` (Wagtail ships thousands of files), against about 2 s for gzip. Every
browser accepts gzip; a clinic that wants Brotli can have its proxy add it.
"""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names and gzip copies, as whitenoise serves them; no Brotli copies."""

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(**{**kwargs, "use_brotli": False})
