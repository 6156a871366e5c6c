"""fix_mojibake: ftfy's repairs, recorded as edits on the exact spans they changed.

ftfy (``fix_text``) returns a whole new text and, at best, the list of fixers it
applied; the inspector needs to show *where*: "cafÃ©" -> "café" at offset 1,234. This
step runs ftfy segment by segment (a line, or a ``max_decode_length`` slice of a longer
line: the same segments ftfy itself works on) and aligns each changed segment with its
repair to get the changed spans, each a ``replace`` edit labelled by what it fixed
(``mojibake``, ``control_char``, ``surrogate``, ``html_entity``, ``line_break``,
``normalization``) and with ftfy's fixer names in the reason.

Speed: ftfy runs at about 2 MB/s on real web text (measured on
../shared/data/corpus, 600 pages), far below the cleaning budget. Every ftfy fixer has a
trigger that a compiled regex can find (its "bad" sequences, a control character, a
surrogate, "&", a line separator, a ligature, a full-width form, text not in NFC), so a
segment with no trigger is skipped without calling ftfy: the output is the same.
Scanning 57 MB of text with those regexes alone costs more than the budget, so the
scan works on the *runs* of consecutive non-ASCII characters instead: the text is
encoded to UTF-8, its ASCII bytes blanked out with one ``bytes.translate`` and split
away, and only the distinct runs that remain are examined (cached across documents).
Every trigger but "&" and the ASCII control characters lies inside one run, so a
document whose runs hold none is proven untouched in a few passes at memory speed.
Where a run does hold a trigger, its segments are found with ``str.find``; a segment
whose only trigger is a pair of characters that *might* be mojibake is checked with
ftfy's own detector (``badness.is_bad``) before the whole of ftfy runs on it. On the
segments left, ``fix_and_explain`` is replayed without the detector and translate passes
that provably find nothing (same text and steps as ftfy's; the tests compare them).
Measured with ``benchmarks/cleaning.py --parts throughput`` (57 MB, one process): about
19 MB/s before these shortcuts, about 70 MB/s with them, with identical edits and signals
on the whole corpus and ftfy's cases.

Past that, the time went to the run scan itself (encode, translate, split, a find per
run) and to the segments ftfy does change. The optional compiled module
``_repairfast`` walks the characters once instead (:meth:`FixMojibake._line_marks`; each
distinct run is still judged by the Python rules, once) and computes difflib's
alignment of a changed segment; in the replay, ftfy's encoding loop skips ``is_bad`` on
a text with no bad run and the other fixers are skipped on a text with none of the
characters they act on. About 130 MB/s with the module (about 78 MB/s without it),
same edits and signals (tests/stages/repair/test_repairfast.py compares both paths).
Most of what is left is ftfy's own work on the few hundred pages it does repair.

Differences from ``ftfy.fix_text`` by design: curly quotes are kept by default
(``uncurl_quotes=False``: typography is not damage), and ``unescape_html="auto"`` is
decided once per document (no "<" anywhere) rather than from the first "<" onwards.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from thresher import accelerators
from thresher.document import Document, Edit
from thresher.step import Params, Transformer

# Alignments longer than this are done on whitespace-separated tokens first, so the
# work per changed segment stays linear (difflib is quadratic in the worst case).
_CHAR_ALIGN_MAX = 4_000
# a changed middle this short (in characters) is one edit without a character alignment
_SHORT_CHANGE = 8
_ENCODING_ACTIONS = frozenset({"encode", "decode", "transcode"})
_ENCODING_FIXERS = frozenset({"decode_inconsistent_utf8", "fix_c1_controls", "restore_byte_a0"})
# distinct non-ASCII runs remembered across documents (only runs up to 64 bytes, and the
# cache is cleared when full, so memory stays bounded on any input)
_RUN_CACHE = 200_000
_RUN_CACHE_LEN = 64
# Up to this many distinct runs to look for, each is found with str.find over the text
# (the corpus's pages need at most 78, 99.9% at most 32; measured on
# ../shared/data/corpus); past it, the lines are gone through once instead.
_MAX_FIND_RUNS = 32
_ASCII = "".join(map(chr, range(128)))
# what a run of non-ASCII characters may trigger, as bits (_repairfast.c holds the same)
_R_SUSPECT, _R_BAD, _R_TRIGGER, _R_NFC, _R_ENDS_A = 1, 2, 4, 8, 16
# what a line holds: a candidate segment (CHOSEN), one ftfy must run on (NEED), one
# ftfy runs on if its detector says bad (MAYBE; not with NEED)
_L_CHOSEN, _L_NEED, _L_MAYBE = 1, 2, 4
# the fixers ftfy's fix_and_explain applies after fix_encoding, in its order
_FIXER_ORDER = (
    "fix_c1_controls",
    "fix_latin_ligatures",
    "fix_character_width",
    "uncurl_quotes",
    "fix_line_breaks",
    "fix_surrogates",
    "remove_terminal_escapes",
    "remove_control_chars",
)


class FixMojibakeParams(Params):
    """Which of ftfy's fixers run (ftfy's own defaults except ``uncurl_quotes``)."""

    uncurl_quotes: bool = Field(False, description="replace curly quotes with straight ones")
    fix_latin_ligatures: bool = Field(True, description="ﬁ -> fi")
    fix_character_width: bool = Field(True, description="full-width forms -> ASCII")
    fix_line_breaks: bool = Field(True, description="CR, CRLF, U+2028/9, U+0085 -> LF")
    remove_control_chars: bool = Field(True, description="drop C0 controls (but tab/LF/FF/CR), BOMs")
    fix_surrogates: bool = Field(True, description="join surrogate pairs, replace lone ones with U+FFFD")
    unescape_html: Literal["auto", "yes", "no"] = Field(
        "auto", description="decode HTML entities: 'auto' does so only in text with no '<'"
    )
    normalization: Literal["NFC", "NFKC", "none"] = Field("NFC", description="Unicode normalization form")
    max_decode_length: int = Field(
        1_000_000,
        ge=1_000,
        le=100_000_000,
        description="longest segment ftfy decodes at once (ftfy's default)",
    )
    max_chars: int = Field(
        2_000_000,
        ge=1_000,
        le=1_000_000_000,
        description=(
            "characters analysed per document (work bound: ftfy repairs dense mojibake at about "
            "0.14 M characters/s, measured, so a 2 M-character page of nothing else takes ~14 s)"
        ),
    )


class FixMojibake(Transformer):
    """Repair mojibake, control characters and invalid surrogates with ftfy, as edits."""

    name = "fix_mojibake"
    Params = FixMojibakeParams
    params: FixMojibakeParams

    def setup(self) -> None:
        try:
            import ftfy
            from ftfy import badness, chardata
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("fix_mojibake needs ftfy: pip install 'thresher[repair]'") from exc
        self._ftfy = ftfy
        self._is_bad = badness.is_bad
        self._trigger = _trigger_regex(self.params, chardata)
        self._entity = chardata.HTML_ENTITY_RE
        self._suspect = _suspect_regex(chardata)
        self._bad = _bad_run_regex(badness.BADNESS_RE)
        self._mask = _ascii_mask(self._trigger)
        self._runs: dict[bytes, _Run] = {}
        self._nfc_start: dict[str, bool] = {}
        # the characters each translate-table fixer maps (a fixer is the identity on a
        # text with none of them, and a regex finds them faster than translate runs)
        tables: dict[str, dict[int, Any]] = {
            "fix_latin_ligatures": chardata.LIGATURES,
            "fix_character_width": chardata.WIDTH_MAP,
            "remove_control_chars": chardata.CONTROL_CHARS,
        }
        self._maps = {name: _char_class(table) for name, table in tables.items()}
        self._any_map = _char_class(set().union(*tables.values()))
        # every character one of the fixers after fix_encoding may change, whatever the
        # configuration: a text with none of them goes through all of them unchanged
        self._any_fixer = _fixer_chars(chardata)
        self._configs: dict[bool, Any] = {}
        # the compiled twin of _line_marks_python and of difflib's opcodes, if built
        self._fast = accelerators.load("thresher.stages.repair._repairfast")  # types: _repairfast.pyi
        self._opcodes = _difflib_opcodes if self._fast is None else self._fast.opcodes
        self._ascii_trigger = bytes(1 if self._trigger.match(chr(b)) else 0 for b in range(128))
        self._single = bytearray(0x110000)  # the bits of each one-character run, once seen
        self._run_bits_cache: dict[str, int] = {}
        # our replay of ftfy's fix_and_explain is checked against ftfy 6.3 (tests);
        # another version runs ftfy's own
        self._replay = ftfy.__version__.startswith("6.3.")

    def _config(self, html: bool) -> Any:
        config = self._configs.get(html)
        if config is None:
            # an immutable named tuple: built once per value of ``html``
            config = self._configs[html] = self._make_config(html)
        return config

    def _make_config(self, html: bool) -> Any:
        p = self.params
        return self._ftfy.TextFixerConfig(
            unescape_html=html,
            uncurl_quotes=p.uncurl_quotes,
            fix_latin_ligatures=p.fix_latin_ligatures,
            fix_character_width=p.fix_character_width,
            fix_line_breaks=p.fix_line_breaks,
            remove_control_chars=p.remove_control_chars,
            fix_surrogates=p.fix_surrogates,
            normalization=None if p.normalization == "none" else p.normalization,
            max_decode_length=p.max_decode_length,
            explain=True,
        )

    def edits(self, doc: Document) -> list[Edit]:
        p = self.params
        text = doc.text
        truncated = len(text) > p.max_chars
        view = text[: p.max_chars] if truncated else text
        self.signal(doc, "truncated", truncated)
        html = p.unescape_html == "yes" or (p.unescape_html == "auto" and "<" not in view)
        config = self._config(html)
        norm: Literal["NFC", "NFKC"] | None = None if p.normalization == "none" else p.normalization
        edits: list[Edit] = []
        if len(view) > p.max_decode_length:
            # a line may be cut into several segments: take the plain path
            todo, gate = self._candidates(view, html, norm), None
        else:
            todo, gate = self._plan(view, html, norm)
        for start, end in todo:
            seg = view[start:end]
            if gate is not None:
                need = gate.get(start)
                # None: nothing in the segment that any fixer acts on; False: only a
                # pair of characters that might be mojibake, which ftfy's own detector
                # decides (with no other trigger, ftfy changes nothing unless it says bad)
                if need is None or (need is False and not self._is_bad(seg)):
                    continue
            fixed, explanation = self._fix_and_explain(seg, config)
            if fixed == seg:
                continue
            steps = _describe(explanation)
            for a, b, new in _align(seg, fixed, self._opcodes):
                old = seg[a:b]
                edits.append(
                    Edit(start + a, start + b, "replace", _label(old, new, steps), steps, replacement=new)
                )
        self.signal(doc, "segments_checked", len(todo))
        self.signal(doc, "edits", len(edits))
        return edits

    def _fix_and_explain(self, text: str, config: Any) -> tuple[str, list[Any]]:
        """``ftfy.fix_and_explain(text, config)``, same text and same steps, without the
        passes that provably change nothing.

        ftfy applies its fixers in a fixed order until the text stops changing, and most
        of its time goes to two passes that find nothing: ``is_bad`` (the start of
        ``fix_encoding``; it never says bad of a text with no bad run, see
        :func:`_bad_run_regex`) and ``str.translate`` with the ligature, width and
        control-character tables (the identity on a text with none of their keys).
        Those are skipped when so; everything else runs as ftfy runs it. (Not skipped:
        ``fix_encoding`` on a text it returned before, which can still report a step.)
        """
        ftfy = self._ftfy
        if not self._replay:
            return ftfy.fix_and_explain(text, config)  # type: ignore[no-any-return]
        fixes = ftfy.fixes
        step = ftfy.ExplanationStep
        one_step = ftfy._fix_encoding_one_step_and_explain
        steps: list[Any] = []
        while True:
            origtext = text
            if config.unescape_html and "&" in text:
                fixed = fixes.unescape_html(text)
                if fixed != text:
                    steps.append(step("apply", "unescape_html"))
                    text = fixed
            if config.fix_encoding:
                # ftfy's fix_encoding_and_explain: its one step until the text stops
                # changing, each step starting with ``is_bad`` (skipped when it is
                # proven false: the step then returns the text as it is)
                while self._may_be_bad(text):
                    before = text
                    text, plan = one_step(text, config)
                    steps.extend(plan or [])
                    if text == before:
                        break
            if self._any_fixer.search(text) is not None:
                mapped = self._any_map.search(text) is not None
                for name in _FIXER_ORDER:
                    if not getattr(config, name):
                        continue
                    rx = self._maps.get(name)
                    if rx is not None and (not mapped or rx.search(text) is None):
                        continue
                    fixed = ftfy.FIXERS[name](text)
                    if fixed != text:
                        steps.append(step("apply", name))
                        text = fixed
            if config.normalization is not None:
                fixed = unicodedata.normalize(config.normalization, text)
                if fixed != text:
                    steps.append(step("normalize", config.normalization))
                    text = fixed
            if text == origtext:
                return text, steps

    def _may_be_bad(self, text: str) -> bool:
        """False only if ftfy's ``is_bad`` is false on ``text`` (ASCII, or no bad run)."""
        if text.isascii():
            return False
        if self._fast is not None:
            return bool(self._line_marks(text)[1] & _R_BAD)
        masked = text.encode("utf-8", "surrogatepass").translate(self._mask).replace(b"\x01", b" ")
        return any(self._run(tok).bad for tok in set(masked.split()))

    def _plan(
        self, text: str, html: bool, norm: Literal["NFC", "NFKC"] | None
    ) -> tuple[list[tuple[int, int]], dict[int, bool]]:
        """The segments :meth:`_candidates` gives, found from the non-ASCII runs, and
        for each start whether ftfy must run on it (True), only if ``is_bad`` says so
        (False), or not at all (absent).

        Only for texts with no line longer than ``max_decode_length`` (a run never
        crosses a segment boundary then).
        """
        marks, any_bits = self._line_marks(text)
        ends: dict[int, int] = {}
        chosen: set[int] = set()
        need: dict[int, bool] = {}
        for a, b, bits in marks:
            ends[a] = b
            if bits & _L_CHOSEN:
                chosen.add(a)
            if bits & _L_NEED:
                need[a] = True
            elif bits & _L_MAYBE:
                need[a] = False
        n = len(text)
        if html and "&" in text:
            m = self._entity.search(text)
            while m is not None:
                a = text.rfind("\n", 0, m.start()) + 1
                ends[a] = text.find("\n", m.start()) + 1 or n
                chosen.add(a)
                need[a] = True
                m = self._entity.search(text, ends[a])
        if norm is not None and any_bits & _R_NFC and not unicodedata.is_normalized(norm, text):
            for a, b in _segments(text, self.params.max_decode_length):
                if not unicodedata.is_normalized(norm, text[a:b]):
                    chosen.add(a)
                    ends[a] = b
                    need[a] = True
        return [(a, ends[a]) for a in sorted(chosen)], need

    def _line_marks(self, text: str) -> tuple[list[tuple[int, int, int]], int]:
        """``(start, end, bits)`` of each line (with its newline) holding a character a
        fixer acts on (``_L_CHOSEN | _L_NEED``), a run that may be mojibake (``_L_CHOSEN``;
        ``"Â"``/``"Ã"`` before a space is one), or the core of a "bad" sequence
        (``_L_MAYBE``), in order; and the bits of all the runs of ``text``, or-ed.

        The compiled twin goes through the characters once; the Python rules find the
        runs with bytes operations and look each distinct one up.
        """
        if self._fast is not None:
            return self._fast.line_marks(  # type: ignore[no-any-return]
                text, self._ascii_trigger, self._single, self._run_bits_cache, self._run_bits
            )
        return self._line_marks_python(text)

    def _line_marks_python(self, text: str) -> tuple[list[tuple[int, int, int]], int]:
        """:meth:`_line_marks` in Python."""
        raw = text.encode("utf-8", "surrogatepass")
        masked = raw.translate(self._mask)
        ascii_trigger = b"\x01" in masked
        if ascii_trigger:
            masked = masked.replace(b"\x01", b" ")
        tokens = set(masked.split())
        runs = [self._run(tok) for tok in tokens]
        any_bits = 0
        for r in runs:
            any_bits |= _bits(r)
        n = len(text)
        ends: dict[int, int] = {}
        chosen: set[int] = set()
        need: dict[int, bool] = {}

        def line(pos: int) -> int:
            start = text.rfind("\n", 0, pos) + 1
            ends[start] = text.find("\n", pos) + 1 or n
            return start

        if ascii_trigger or any(r.trigger for r in runs):
            m = self._trigger.search(text)
            while m is not None:
                a = line(m.start())
                chosen.add(a)
                need[a] = True
                m = self._trigger.search(text, ends[a])
        found = [(tok, r) for tok, r in zip(tokens, runs) if r.suspect or r.bad]
        if len(found) <= _MAX_FIND_RUNS:
            # a few runs to look for: one str.find scan each (at memory speed)
            for _, r in found:
                pos = text.find(r.text)
                while pos >= 0:
                    a = line(pos)
                    if r.suspect:
                        chosen.add(a)
                    if r.bad:
                        need.setdefault(a, False)
                    pos = text.find(r.text, ends[a])
        else:
            # many (a page in Cyrillic: every word may be one): each line's own runs, so
            # the work stays linear in the text
            wanted = dict(found)
            a = ab = 0
            nb = len(raw)
            while a < n:
                e = text.find("\n", a) + 1 or n
                eb = raw.find(b"\n", ab) + 1 or nb
                for tok in masked[ab:eb].split():
                    hit = wanted.get(tok)
                    if hit is not None:
                        ends[a] = e
                        if hit.suspect:
                            chosen.add(a)
                        if hit.bad:
                            need.setdefault(a, False)
                a, ab = e, eb
        if any(r.ends_a for r in runs):  # the suspect pattern's "Â"/"Ã" before an ASCII space
            for lit in ("\u00c2 ", "\u00c3 "):
                pos = text.find(lit)
                while pos >= 0:
                    a = line(pos)
                    chosen.add(a)
                    pos = text.find(lit, ends[a])
        marks = []
        for a in sorted(chosen.union(need)):
            bits = _L_CHOSEN if a in chosen else 0
            if a in need:
                bits |= _L_NEED if need[a] else _L_MAYBE
            marks.append((a, ends[a], bits))
        return marks, any_bits

    def _run_bits(self, run: str) -> int:
        """The bits of one run, for the compiled twin (which keeps them in
        ``_run_bits_cache``, bounded here): ``_bits(self._run_info(run))``, without the
        record."""
        bits = (
            (_R_SUSPECT if self._suspect.search(run) is not None else 0)
            | (_R_BAD if self._bad is None or self._bad.search(run) is not None else 0)
            | (_R_TRIGGER if self._trigger.search(run) is not None else 0)
            | (_R_NFC if self._may_denormalize(run) else 0)
            | (_R_ENDS_A if run[-1] in "\u00c2\u00c3" else 0)
        )
        cache = self._run_bits_cache
        if len(cache) >= _RUN_CACHE:
            cache.clear()
        if len(run) <= _RUN_CACHE_LEN:
            cache[run] = bits
        return bits

    def _run(self, tok: bytes) -> _Run:
        """What one run of non-ASCII characters (UTF-8 bytes) may trigger (cached)."""
        run = self._runs.get(tok)
        if run is None:
            if len(self._runs) >= _RUN_CACHE:
                self._runs.clear()
            run = self._run_info(tok.decode("utf-8", "surrogatepass"))
            if len(tok) <= _RUN_CACHE_LEN:
                self._runs[tok] = run
        return run

    def _run_info(self, s: str) -> _Run:
        """What one run of non-ASCII characters may trigger."""
        return _Run(
            s,
            suspect=self._suspect.search(s) is not None,
            bad=self._bad is None or self._bad.search(s) is not None,
            trigger=self._trigger.search(s) is not None,
            nfc=self._may_denormalize(s),
            ends_a=s[-1] in "\u00c2\u00c3",
        )

    def _may_denormalize(self, run: str) -> bool:
        """Whether ``run``, after any ASCII character, might not be normalized.

        ASCII characters never compose with what precedes them, so a text is normalized
        when each of its non-ASCII runs is, together with the ASCII character before
        it; that holds when the run is normalized and its first character is a starter
        (combining class 0, which blocks composition across it) that composes with no
        ASCII character.
        """
        p = self.params
        if p.normalization == "none":
            return False
        if not unicodedata.is_normalized(p.normalization, run):
            return True
        first = run[0]
        ok = self._nfc_start.get(first)
        if ok is None:
            # each ASCII character is a boundary normalization does not cross, so one
            # check of "<c0>f<c1>f...<c127>f" tells whether f composes with any of them
            ok = unicodedata.combining(first) == 0 and unicodedata.is_normalized(
                p.normalization, first.join(_ASCII) + first
            )
            self._nfc_start[first] = ok
        return not ok

    def _candidates(
        self, text: str, html: bool, norm: Literal["NFC", "NFKC"] | None
    ) -> list[tuple[int, int]]:
        """The segments ftfy could change: those holding a trigger of one of its fixers.

        Each pattern runs once over the whole text; a segment with no trigger is left
        alone, which gives the same text as running ftfy on it.
        """
        patterns = [self._trigger]
        if html:
            patterns.append(self._entity)
        if not text.isascii():
            patterns.append(self._suspect)
        check_norm = norm is not None and not text.isascii() and not unicodedata.is_normalized(norm, text)
        segs: list[tuple[int, int]] = []
        starts: list[int] = []
        chosen: set[int] = set()
        for rx in patterns:
            # one search per segment with a hit: after a hit, resume at the next segment
            m = rx.search(text)
            if m is not None and not segs:
                segs = _segments(text, self.params.max_decode_length)
                starts = [a for a, _ in segs]
            while m is not None:
                i = bisect.bisect_right(starts, m.start()) - 1
                chosen.add(i)
                m = rx.search(text, segs[i][1])
        if not chosen and not check_norm:
            return []
        if not segs:
            segs = _segments(text, self.params.max_decode_length)
        if check_norm:
            assert norm is not None
            chosen.update(
                i for i, (a, b) in enumerate(segs) if not unicodedata.is_normalized(norm, text[a:b])
            )
        return [segs[i] for i in sorted(chosen)]


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of consecutive non-ASCII characters and what it may trigger."""

    text: str
    suspect: bool  # holds a match of the suspect pattern: its segment is a candidate
    bad: bool  # holds the core of a match of ftfy's badness pattern
    trigger: bool  # holds a character a non-encoding fixer changes
    nfc: bool  # might not be normalized after an ASCII character
    ends_a: bool  # ends with "Â" or "Ã" (the suspect pattern's "Â " needs the next char)


def _fixer_chars(chardata: Any) -> re.Pattern[str]:
    """Every character that one of the fixers ftfy runs after ``fix_encoding`` acts on:
    C1 controls (``fix_c1_controls``), ligatures, full-width forms and control
    characters (their translate tables), curly quotes (``uncurl_quotes``), CR and the
    Unicode line breaks (``fix_line_breaks``), surrogates (``fix_surrogates``) and ESC
    (``remove_terminal_escapes``)."""
    chars: set[int] = set(range(0x80, 0xA0)) | {0x1B, 0x02BC} | set(range(0x2018, 0x2020))
    chars.update(map(ord, "\r\u2028\u2029\u0085"))
    chars.update(chardata.LIGATURES, chardata.WIDTH_MAP, chardata.CONTROL_CHARS)
    cls = "".join(re.escape(chr(c)) for c in sorted(chars) if not 0xD800 <= c <= 0xDFFF)
    return re.compile(f"[{cls}\ud800-\udfff]")


def _bits(run: _Run) -> int:
    """A run's flags as the bits the compiled twin works with."""
    return (
        (_R_SUSPECT if run.suspect else 0)
        | (_R_BAD if run.bad else 0)
        | (_R_TRIGGER if run.trigger else 0)
        | (_R_NFC if run.nfc else 0)
        | (_R_ENDS_A if run.ends_a else 0)
    )


def _char_class(chars: Any) -> re.Pattern[str]:
    """A pattern matching any one of ``chars`` (code points or characters)."""
    cps = sorted({c if isinstance(c, int) else ord(c) for c in chars})
    return re.compile("[" + "".join(re.escape(chr(c)) for c in cps) + "]")


def _ascii_mask(trigger: re.Pattern[str]) -> bytes:
    """A ``bytes.translate`` table: ASCII bytes become spaces, so that splitting leaves
    the runs of non-ASCII characters, except those a fixer acts on, which become
    \\x01; non-ASCII bytes stay as they are."""
    table = bytearray(range(256))
    for b in range(128):
        table[b] = 1 if trigger.match(chr(b)) else 0x20
    return bytes(table)


def _bad_run_regex(badness: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern that finds, inside one run of non-ASCII characters, the core of every
    match of ftfy's badness pattern (None when that cannot be proven).

    The badness pattern is an alternation of short sequences. In each alternative,
    the first two adjacent items that only match non-ASCII characters must match two
    adjacent characters of one run; an alternative with no such pair has at least one
    item that only matches non-ASCII characters, which must match a character of a
    run. So a text with no run holding one of these pairs or characters is not "bad".
    Derived from ftfy's own pattern, so it follows ftfy's updates.
    """
    try:
        from re import _constants as sre_c  # type: ignore[attr-defined]
        from re import _parser as sre_p  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        return None

    def chars(op: Any, av: Any) -> str | None:
        """The characters one mandatory item matches, if all are non-ASCII."""
        if op is sre_c.LITERAL:
            items = [(op, av)]
        elif op is sre_c.IN:
            items = av
        else:
            return None
        out: list[str] = []
        for iop, iav in items:
            if iop is sre_c.LITERAL:
                lo = hi = iav
            elif iop is sre_c.RANGE:
                lo, hi = iav
            else:  # NEGATE, CATEGORY (\\s, \\w): may match ASCII
                return None
            if lo < 128:
                return None
            out.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
        return "".join(out)

    try:
        if badness.flags & re.IGNORECASE:
            return None
        tree = sre_p.parse(badness.pattern, badness.flags)
        if len(tree.data) != 1 or tree.data[0][0] is not sre_c.BRANCH:
            return None
        parts: list[str] = []
        singles: list[str] = []
        for alt in tree.data[0][1][1]:
            classes = [chars(op, av) for op, av in alt.data]
            pair = next(
                ((x, y) for x, y in itertools.pairwise(classes) if x is not None and y is not None), None
            )
            if pair is not None:
                parts.append(f"[{pair[0]}][{pair[1]}]")
                continue
            single = next((c for c in classes if c is not None), None)
            if single is None:
                return None  # an alternative made of ASCII only: nothing to prove with
            singles.append(single)
        if singles:
            parts.append(f"[{''.join(singles)}]")
        return re.compile("|".join(parts))
    except (re.error, ValueError, TypeError, IndexError, AttributeError):  # pragma: no cover
        # an unexpected pattern layout: no shortcut
        return None


def _trigger_regex(p: FixMojibakeParams, chardata: Any) -> re.Pattern[str]:
    """One character class of everything a non-encoding fixer of ftfy would change."""
    chars: set[int] = {0x1B}  # terminal escapes
    if p.remove_control_chars:
        chars.update(chardata.CONTROL_CHARS)
    if p.fix_line_breaks:
        chars.update(map(ord, "\r\u2028\u2029\u0085"))
    if p.fix_latin_ligatures:
        chars.update(chardata.LIGATURES)
    if p.fix_character_width:
        chars.update(chardata.WIDTH_MAP)
    if p.uncurl_quotes:
        chars.update(map(ord, "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033"))
    cls = "".join(re.escape(chr(c)) for c in sorted(chars) if not 0xD800 <= c <= 0xDFFF)
    surrogates = "\ud800-\udfff" if p.fix_surrogates else ""
    return re.compile(f"[{cls}{surrogates}]")


def _suspect_regex(chardata: Any) -> re.Pattern[str]:
    """A fast superset of the text ftfy's ``is_bad`` flags (which runs at ~5 MB/s).

    Mojibake of UTF-8 read as a one-byte code page is a lead byte (0xC2-0xF4) followed by
    continuation bytes (0x80-0xBF), each shown as that code page's character; ftfy's
    "bad" patterns are such pairs, pairs of continuation characters ("¨¹"), C1 controls,
    U+FFFD, or "Â"/"Ã" before a space that was a non-breaking space. Checked on every
    line of ../shared/data/corpus and ftfy's 161 cases: no line that ``is_bad`` flags
    escapes this pattern (tests/stages/repair/test_mojibake.py keeps it so).
    """
    lead: set[str] = set()
    cont: set[str] = set()
    for enc in chardata.CHARMAP_ENCODINGS:
        for b in range(0x80, 0x100):
            ch = bytes([b]).decode(enc, errors="ignore")
            if 0x80 <= b <= 0xBF:
                cont.update(ch)
            elif 0xC2 <= b <= 0xF4:
                lead.update(ch)
    first = "".join(re.escape(c) for c in sorted(lead | cont))
    second = "".join(re.escape(c) for c in sorted(cont))
    return re.compile(f"[{first}][{second}]|[\x80-\x9f\ufffd]|[\u00c2\u00c3][ \u00a0]")


def _segments(text: str, max_len: int) -> list[tuple[int, int]]:
    """The lines of ``text`` (with their newline), longer ones cut every ``max_len``: the
    segments ftfy's ``fix_text`` works on."""
    out: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while pos < n:
        brk = text.find("\n", pos) + 1 or n
        brk = min(brk, pos + max_len)
        out.append((pos, brk))
        pos = brk
    return out


def _describe(explanation: list[Any] | None) -> str:
    names: list[str] = []
    for action, param in explanation or []:
        name = f"{action} {param}" if action in _ENCODING_ACTIONS else str(param)
        if name not in names:
            names.append(name)
    return "ftfy: " + (", ".join(names) or "fix_text")


def _label(old: str, new: str, steps: str) -> str:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in old):
        return "surrogate"
    if old and all(c in "\r\u2028\u2029\u0085" for c in old) and new in ("", "\n"):
        return "line_break"
    if old and not new.strip(" ") and all(unicodedata.category(c) in ("Cc", "Cf") for c in old):
        return "control_char"
    if "&" in old and old.isascii() and "unescape_html" in steps:
        return "html_entity"
    if any(s in steps for s in ("encode ", "decode ", "transcode ")) or any(
        f in steps for f in _ENCODING_FIXERS
    ):
        return "mojibake"
    return "normalization"


Opcodes = Callable[[str, str], Sequence[tuple[str, int, int, int, int]]]


def _difflib_opcodes(old: str, new: str) -> Sequence[tuple[str, int, int, int, int]]:
    """The character alignment of ``old`` and ``new`` (``_repairfast.opcodes`` is its
    compiled twin)."""
    return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def _align(old: str, new: str, opcodes: Opcodes = _difflib_opcodes) -> list[tuple[int, int, str]]:
    """The changed spans of ``old`` as ``(start, end, replacement)``, non-overlapping."""
    # common prefix and suffix first: most repairs touch a few characters of a line
    a = _common_prefix(old, new)
    b = _common_suffix(old, new, a)
    mo, mn = old[a : len(old) - b], new[a : len(new) - b]
    # ftfy's repairs are local, so when both sides have the same number of
    # whitespace-separated tokens, pair them up and align characters inside the pairs that
    # differ (linear work); otherwise align characters if short, else one edit
    to = re.findall(r"\s+|\S+", mo)
    tn = re.findall(r"\s+|\S+", mn)
    if len(to) != len(tn):
        if len(mo) + len(mn) <= _CHAR_ALIGN_MAX:
            return [(a + s, a + e, r) for s, e, r in _char_ops(mo, mn, opcodes)]
        return [(a, len(old) - b, mn)]
    out: list[tuple[int, int, str]] = []
    pos = a
    for x, y in zip(to, tn):
        if x != y:
            if len(x) + len(y) <= _CHAR_ALIGN_MAX:
                out.extend((pos + s, pos + e, r) for s, e, r in _char_ops(x, y, opcodes))
            else:
                out.append((pos, pos + len(x), y))
        pos += len(x)
    return out


def _common_prefix(x: str, y: str) -> int:
    """Length of the common prefix, by halving slice comparisons (C speed, not a
    Python loop over the characters of a long line)."""
    lo, hi = 0, min(len(x), len(y))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[lo:mid] == y[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(x: str, y: str, skip: int) -> int:
    """Length of the common suffix that does not reach into the first ``skip``
    characters of the shorter string."""
    lo, hi = 0, min(len(x), len(y)) - skip
    nx, ny = len(x), len(y)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if x[nx - mid : nx - lo] == y[ny - mid : ny - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _char_ops(old: str, new: str, opcodes: Opcodes = _difflib_opcodes) -> list[tuple[int, int, str]]:
    # trim what both share; a short changed middle is one edit (most repairs: "Ã©" ->
    # "é"), and difflib (about 100 us a call) only runs on longer ones
    p = _common_prefix(old, new)
    q = _common_suffix(old, new, p)
    old, new = old[p : len(old) - q], new[p : len(new) - q]
    if not old and not new:
        return []
    if min(len(old), len(new)) <= _SHORT_CHANGE and not any(c.isspace() or c < " " for c in old):
        return [(p, p + len(old), new)]
    out: list[tuple[int, int, str]] = []
    for op, i1, i2, j1, j2 in opcodes(old, new):
        i1, i2 = i1 + p, i2 + p
        if op == "equal":
            continue
        # glue to an adjacent previous change, so one repaired sequence is one edit
        if out and i1 == out[-1][1]:
            ps, _, pr = out[-1]
            out[-1] = (ps, i2, pr + new[j1:j2])
        else:
            out.append((i1, i2, new[j1:j2]))
    return out
