"""segment stage: sentences and lines with character offsets.

The API is deliberately two functions and one record, because other steps share it:

- :func:`segment_sentences` -> list of :class:`Span` (``kind == "sentence"``)
- :func:`segment_lines` -> list of :class:`Span` (``kind == "line"``)
- :func:`line_bounds` -> the same lines as ``(start, end)`` pairs, for callers that
  visit every line and keep few

Both work on text with or without line breaks, and never raise on odd input.
"""

from __future__ import annotations

from thresher.stages.segment.sentences import Span, line_bounds, segment_lines, segment_sentences

__all__ = ["Span", "line_bounds", "segment_lines", "segment_sentences"]
