"""Strict readers for settings taken from the environment.

A malformed value is an error that names the variable, never a silent default: a typo in
``TENDERPOINT_DEBUG=flase`` must stop the process, not switch debugging on or off by accident.
Secrets may also come from a file named by ``<NAME>_FILE`` (container and systemd secrets).
"""

from __future__ import annotations

import os
from pathlib import Path

from tenderpoint.errors import ConfigurationError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str | None:
    """The variable as text, or ``default`` when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return value if value else default


def env_bool(name: str, default: bool) -> bool:
    """A boolean written as 1/0, true/false, yes/no or on/off."""
    raw = env_str(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.",
        code="malformed_bool",
        field=name,
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number, optionally bounded below."""
    raw = env_str(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name}={raw!r} is not a whole number.", code="malformed_int", field=name
        ) from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(
            f"{name}={value} is below its minimum of {minimum}.", code="out_of_range", field=name
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are ignored."""
    raw = env_str(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (not both)."""
    direct = env_str(name)
    file_name = env_str(f"{name}_FILE")
    if direct and file_name:
        raise ConfigurationError(
            f"Both {name} and {name}_FILE are set; keep one.", code="ambiguous_secret", field=name
        )
    if file_name:
        path = Path(file_name)
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(
                f"{name}_FILE points to {path}, which cannot be read: {exc.strerror}.",
                code="unreadable_secret",
                field=f"{name}_FILE",
            ) from None
        if not value:
            raise ConfigurationError(
                f"{name}_FILE points to an empty file ({path}).",
                code="empty_secret",
                field=f"{name}_FILE",
            )
        return value
    return direct
