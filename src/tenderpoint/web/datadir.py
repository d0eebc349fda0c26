"""Where tenderpoint keeps its embedded database, secrets and collected static files.

``TENDERPOINT_DATA_DIR`` when set; otherwise ``var/`` in the current working directory, so a
checkout's demo stays inside the checkout and is removed with it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_DATA_DIR = "var"
SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)
#: environment variable → file in the data directory, for the secrets the demo makes itself
SECRET_FILES = {
    "TENDERPOINT_SECRET_KEY": SECRET_KEY_FILE,
    "TENDERPOINT_TOTP_KEY": "totp_key",
    "TENDERPOINT_AUDIT_KEY": "audit_key",
}
DATABASE_FILE = "tenderpoint.sqlite3"


def data_dir() -> Path:
    """The data directory as an absolute path (not created here)."""
    return Path(os.environ.get("TENDERPOINT_DATA_DIR") or DEFAULT_DATA_DIR).resolve()


def ensure_secret_key_file(directory: Path, name: str = SECRET_KEY_FILE) -> Path:
    """Create a random secret in ``directory`` once, readable by the owner only."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path
