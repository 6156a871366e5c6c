"""Inline SVG charts computed in Python: no script and no external asset in any page.

Charts use SVG presentation attributes (``fill=``), not ``style=``, so they render under
the inspector's Content-Security-Policy, which forbids inline styles and scripts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape

KEPT_COLOUR = "#2f6fb0"
REJECTED_COLOUR = "#e0752d"
# Bins of a histogram: 30 resolves the shape of a signal on a 360-pixel-wide chart
# (12 px per bar) without noise dominating at a few hundred documents.
DEFAULT_BINS = 30
# A long tail (a few huge pages) would squeeze every other bar into the first bin: above
# this ratio of max to 99th percentile, the last bin collects everything over the 99th.
_TAIL_RATIO = 4.0


@dataclass(slots=True)
class Histogram:
    """Counts of kept and rejected documents per bin; ``edges`` has one more entry."""

    name: str
    edges: list[float]
    kept: list[int]
    rejected: list[int]
    overflow: bool  # the last bin holds everything from edges[-2] up
    missing: int  # documents without this signal

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "edges": self.edges, "kept": self.kept, "rejected": self.rejected,
                "last_bin_open": self.overflow, "missing": self.missing}


def histogram(name: str, values: np.ndarray, rejected_mask: np.ndarray, bins: int = DEFAULT_BINS) -> Histogram:
    """Bin ``values`` (NaN = absent), split into kept (``~rejected_mask``) and rejected."""
    ok = np.isfinite(values)
    v = values[ok]
    rej = rejected_mask[ok]
    missing = int((~ok).sum())
    if v.size == 0:
        return Histogram(name, [0.0, 1.0], [0], [0], False, missing)
    lo, hi = float(v.min()), float(v.max())
    overflow = False
    if v.size >= 100 and hi > lo:
        p99 = float(np.quantile(v, 0.99))
        if p99 > lo and (hi - lo) > _TAIL_RATIO * (p99 - lo):
            hi, overflow = p99, True
    integral = bool(np.all(np.floor(v) == v))
    if hi == lo:
        edges = np.array([lo, lo + 1.0])
    elif integral and hi - lo + 1 <= bins:
        edges = np.arange(lo, hi + 2.0)  # one bar per integer value
    else:
        edges = np.linspace(lo, hi, bins + 1)
    clipped = np.clip(v, edges[0], np.nextafter(edges[-1], -np.inf))
    k, _ = np.histogram(clipped[~rej], bins=edges)
    r, _ = np.histogram(clipped[rej], bins=edges)
    return Histogram(name, [float(x) for x in edges], [int(x) for x in k], [int(x) for x in r], overflow,
                     missing)


def _fmt(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def histogram_svg(h: Histogram, width: int = 360, height: int = 150) -> Markup:
    """Kept and rejected bars overlaid (translucent), with the range and peak labelled."""
    pad_l, pad_b, pad_t = 6, 30, 18
    plot_w, plot_h = width - 2 * pad_l, height - pad_b - pad_t
    n = len(h.kept)
    peak = max(max(h.kept, default=0), max(h.rejected, default=0), 1)
    bw = plot_w / max(n, 1)
    # the name must leave room for the peak label: about 7 px a character at 12 px
    room = max(8, (width - 70) // 7)
    shown = h.name if len(h.name) <= room else "\u2026" + h.name[-(room - 1):]
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="hist" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(h.name)}">'),
             (f'<text x="{pad_l}" y="12" font-size="12" font-family="system-ui,sans-serif" '
             f'font-weight="600" fill="#222"><title>{escape(h.name)}</title>{escape(shown)}</text>'),
             (f'<text x="{width - pad_l}" y="12" font-size="10" text-anchor="end" '
             f'font-family="system-ui,sans-serif" fill="#666">peak {peak:,}</text>')]
    base = pad_t + plot_h
    for i in range(n):
        x = pad_l + i * bw
        hi_label = "+" if (h.overflow and i == n - 1) else f", {_fmt(h.edges[i + 1])})"
        tip = f"[{_fmt(h.edges[i])}{hi_label}: kept {h.kept[i]:,}, rejected {h.rejected[i]:,}"
        parts.append(f"<g><title>{escape(tip)}</title>")
        for count, colour in ((h.kept[i], KEPT_COLOUR), (h.rejected[i], REJECTED_COLOUR)):
            if count:
                bh = max(1.0, plot_h * count / peak)
                parts.append(f'<rect x="{x + 0.5:.1f}" y="{base - bh:.1f}" width="{max(bw - 1, 1):.1f}" '
                             f'height="{bh:.1f}" fill="{colour}" fill-opacity="0.6"/>')
        parts.append("</g>")
    parts.append(f'<line x1="{pad_l}" y1="{base}" x2="{width - pad_l}" y2="{base}" stroke="#999"/>')
    lo_txt = _fmt(h.edges[0])
    hi_txt = _fmt(h.edges[-1]) + ("+" if h.overflow else "")
    foot = f"{h.missing:,} without" if h.missing else ""
    for x, anchor, txt in ((pad_l, "start", lo_txt), (width - pad_l, "end", hi_txt), (width / 2, "middle", foot)):
        if txt:
            parts.append(
                f'<text x="{x}" y="{base + 13}" font-size="10" text-anchor="{anchor}" '
                f'font-family="system-ui,sans-serif" fill="#555">{escape(txt)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def legend_svg() -> Markup:
    """The colour key of the histograms."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" width="190" height="16" role="img" aria-label="legend">'
        f'<rect x="0" y="3" width="10" height="10" fill="{KEPT_COLOUR}" fill-opacity="0.6"/>'
        '<text x="14" y="12" font-size="11" font-family="system-ui,sans-serif">kept</text>'
        f'<rect x="60" y="3" width="10" height="10" fill="{REJECTED_COLOUR}" fill-opacity="0.6"/>'
        '<text x="74" y="12" font-size="11" font-family="system-ui,sans-serif">rejected</text></svg>')


def bar_svg(fraction: float, colour: str = REJECTED_COLOUR, width: int = 120, height: int = 10) -> Markup:
    """A small horizontal bar for tables (funnel, throughput)."""
    w = max(0.0, min(1.0, fraction)) * width
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
                  f'aria-label="{fraction:.1%}"><rect x="0" y="0" width="{width}" height="{height}" '
                  f'fill="#eee"/><rect x="0" y="0" width="{w:.1f}" height="{height}" fill="{colour}"/></svg>')


def funnel_svg(seen: int, dropped: int, max_seen: int, width: int = 160, height: int = 12) -> Markup:
    """One step of the funnel: the documents it saw (bar length), those it dropped in
    orange at the end; stacked row after row the bars narrow as the run goes."""
    scale = width / max(max_seen, 1)
    kept_w = max(0, seen - dropped) * scale
    drop_w = max(0, dropped) * scale
    if dropped and drop_w < 1:
        drop_w = 1.0  # a single dropped document must stay visible
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
                  f'aria-label="{seen:,} seen, {dropped:,} dropped">'
                  f'<rect x="0" y="0" width="{kept_w:.1f}" height="{height}" fill="{KEPT_COLOUR}" fill-opacity="0.7"/>'
                  f'<rect x="{kept_w:.1f}" y="0" width="{drop_w:.1f}" height="{height}" fill="{REJECTED_COLOUR}"/>'
                  '</svg>')
