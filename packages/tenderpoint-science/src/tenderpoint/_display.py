"""Notebook helpers shared by the cores' result types: plain (JSON-ready) values and HTML tables.

Standard library only, so the clinical core can use it; numpy arrays and polars frames are
recognised by duck typing (``tolist``, ``to_dicts``) rather than imported.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Iterable, Mapping
from typing import Any


def plain(value: Any) -> Any:
    """``value`` as JSON-ready Python: dataclasses and mappings to dicts, sequences and arrays
    to lists, numpy scalars to Python numbers, non-finite floats to ``None`` (strict JSON)."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "to_dicts"):  # a polars frame
        return [plain(row) for row in value.to_dicts()]
    if hasattr(value, "tolist"):  # a numpy array or scalar
        return plain(value.tolist())
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if hasattr(value, "isoformat"):  # dates and times
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple) and len(value) > 12:
        head = ", ".join(_cell(v) for v in value[:6])
        return f"[{head}, … {len(value)} values]"
    return str(value)


def html_table(caption: str, rows: Iterable[tuple[str, Any]], notes: Iterable[str] = ()) -> str:
    """A two-column HTML table (name, value) with a caption and notes below: ``_repr_html_``."""
    body = "".join(
        f"<tr><th>{html.escape(str(name))}</th><td>{html.escape(_cell(value))}</td></tr>"
        for name, value in rows
    )
    text = "".join(f"<p>{html.escape(note)}</p>" for note in notes)
    return f"<table><caption>{html.escape(caption)}</caption>{body}</table>{text}"


def require_altair() -> Any:
    """The altair module, or an ImportError that names the extra that provides it."""
    try:
        import altair
    except ImportError as exc:  # pragma: no cover - altair is installed in development
        raise ImportError("Charts need altair: pip install 'tenderpoint-science[plot]'.") from exc
    return altair
