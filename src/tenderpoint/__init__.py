"""tenderpoint: software for clinics that treat fibromyalgia, and for the people they treat."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tenderpoint")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
