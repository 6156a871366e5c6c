"""The Jinja2 environment of the report and the inspector: autoescape everywhere.

Autoescaping is on for every template whatever its name, so that a document's text,
URL, id, reasons or signal names can never become markup (scraped text is hostile).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from thresher.errors import require


def _num(v: Any) -> str:
    """Numbers for people: thousands separators, at most 4 significant digits."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


@lru_cache(maxsize=1)
def environment() -> Any:
    """The shared environment; templates are package data under ``report/templates``."""
    jinja2 = require("jinja2", "inspect")
    env = jinja2.Environment(  # type: ignore[attr-defined]
        loader=jinja2.PackageLoader("thresher.report", "templates"),  # type: ignore[attr-defined]
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # type: ignore[attr-defined]
    )
    env.filters["num"] = _num
    env.globals["pct"] = _pct
    return env


def render(template: str, **context: Any) -> str:
    return str(environment().get_template(template).render(**context))


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The one stylesheet, inlined by the self-contained pages."""
    from importlib import resources

    return resources.files("thresher.report").joinpath("static/thresher.css").read_text(encoding="utf-8")
