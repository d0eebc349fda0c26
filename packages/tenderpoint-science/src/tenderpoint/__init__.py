"""tenderpoint: software for clinics that treat fibromyalgia, and for the people they treat.

This package is split between two distributions that install into the same ``tenderpoint``
directory: ``tenderpoint-science`` (this file, ``errors`` and the three scientific cores
``clinical``, ``pharmacology`` and ``outcomes``) and ``tenderpoint`` (the web application, its
command line and FHIR interoperability), which depends on it. ``extend_path`` lets the two
parts live in different directories too, as they do in a development checkout (each workspace
member installed in editable mode), so ``import tenderpoint.web`` finds the web part wherever
it is installed.
"""

from importlib.metadata import PackageNotFoundError, version
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

try:
    __version__ = version("tenderpoint-science")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
