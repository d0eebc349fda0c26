"""The project's one exception hierarchy.

Every error carries a stable machine-readable ``code`` and a message a clinician can act on.
The web layer turns these into form errors (HTTP 400/422), never into a server error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TenderpointError(Exception):
    """Base of every error raised on purpose by tenderpoint.

    ``code`` is stable across releases (tests and API clients match on it); ``field`` names the
    input at fault when there is one; ``params`` holds the values that explain the error.
    """

    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.params: dict[str, Any] = dict(params or {})

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the error (for the API and the CLI)."""
        return {
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "params": self.params,
        }


class InvalidInputError(TenderpointError, ValueError):
    """An input is missing, of the wrong type, or outside its plausible range."""

    default_code = "invalid_input"

    @property
    def problems(self) -> list[dict[str, Any]]:
        """Every problem of the call, each with at least ``code``, ``field`` and ``message``.

        A raiser that checks all fields before failing lists them in ``params["errors"]`` (the
        error's own code and field are the first of them); otherwise the error is the only one.
        """
        collected = self.params.get("errors")
        if collected:
            return [dict(problem) for problem in collected]
        return [{"code": self.code, "field": self.field, "message": self.message}]


class InvalidResponseError(InvalidInputError):
    """A questionnaire or examination answer cannot be scored as given."""

    default_code = "invalid_response"


class DoseLimitError(TenderpointError):
    """A dose, rate or concentration would cross a hard safety limit; the plan is refused.

    ``params["findings"]`` lists every hard limit crossed, each a dict with ``code`` (the
    limit's stable id, e.g. ``"bolus_mg_per_kg"``), ``message``, ``value``, ``limit`` and
    ``unit`` (``value``/``limit`` are ``None`` for a limit that is a rule, not a number).
    """

    default_code = "dose_limit"

    @property
    def crossed(self) -> tuple[dict[str, Any], ...]:
        """Every hard limit crossed, with its value and the limit (see the class docstring)."""
        return tuple(dict(f) for f in self.params.get("findings", ()))

    @property
    def limit_ids(self) -> tuple[str, ...]:
        """The ids of the hard limits crossed, in the order they were checked."""
        return tuple(str(f["code"]) for f in self.crossed)


class UnknownModelError(TenderpointError, LookupError):
    """A pharmacokinetic/pharmacodynamic model id is not in the registry."""

    default_code = "unknown_model"


class UnknownInstrumentError(TenderpointError, LookupError):
    """An instrument or criterion id is not known to the clinical core."""

    default_code = "unknown_instrument"


class InsufficientDataError(TenderpointError):
    """There are too few observations to compute a result honestly."""

    default_code = "insufficient_data"


class ConfigurationError(TenderpointError):
    """The deployment's configuration is missing or malformed."""

    default_code = "configuration"
