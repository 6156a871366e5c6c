"""Histograms: every document counted once, in the right series and bin."""

from __future__ import annotations

import numpy as np

from thresher.report.svg import histogram, histogram_svg


def test_counts_split_kept_and_rejected_and_skip_missing() -> None:
    v = np.array([0.0, 0.5, 1.0, np.nan, 0.25, 0.75])
    rej = np.array([False, True, True, True, False, False])
    h = histogram("s", v, rej, bins=4)
    assert sum(h.kept) == 3 and sum(h.rejected) == 2 and h.missing == 1
    assert h.edges[0] == 0.0 and h.edges[-1] == 1.0
    assert h.rejected[-1] == 1  # the maximum falls in the last bin, not outside


def test_small_integers_get_one_bar_each() -> None:
    v = np.array([1, 2, 2, 3, 3, 3], dtype=float)
    h = histogram("n", v, np.zeros(6, dtype=bool))
    assert h.edges == [1.0, 2.0, 3.0, 4.0] and h.kept == [1, 2, 3]


def test_long_tail_goes_to_an_open_last_bin() -> None:
    v = np.concatenate([np.arange(1000, dtype=float), [1e7]])
    h = histogram("length", v, np.zeros(v.size, dtype=bool))
    assert h.overflow and h.edges[-1] < 1e6 and sum(h.kept) == v.size
    assert "+" in str(histogram_svg(h))


def test_constant_and_empty() -> None:
    h = histogram("c", np.full(5, 2.0), np.zeros(5, dtype=bool))
    assert h.kept == [5]
    e = histogram("e", np.array([np.nan]), np.array([True]))
    assert e.kept == [0] and e.rejected == [0] and e.missing == 1


def test_svg_escapes_the_name_and_uses_no_style_attribute() -> None:
    h = histogram("<script>x</script>", np.array([1.0, 2.0]), np.array([False, True]))
    svg = str(histogram_svg(h))
    assert "<script" not in svg and "&lt;script&gt;" in svg and "style=" not in svg
