"""Necessary literals of a regular expression: strings one of which every match holds.

The lexical rules of ``furniture.json`` run when a unit holds the words of one of their
triggers; most trigger words are common ("by", "answer", "source", "comment"), so most
runs find nothing. :func:`requirement` reads a pattern's syntax tree (``re._parser``)
and returns literal strings one of which any match must contain (or, for a pattern
anchored with ``^``, start with): ``^(?:sign up|subscribe|register)\\b`` needs the unit
to start with "sign up", "subscribe" or "register", ``\\bq&a communities\\b`` needs
"q&a communities" in it. The compiled sentence gate (``_furnfast.c``) tests them on the
unit's characters case-folded as the regex engine folds them, and leaves a rule out
when none is there: the rule could not have matched.

Only what is certain is used: a run of literal characters, small character classes,
alternations of such runs and optional pieces of them, concatenated; anything else (a
``\\d``, ``\\w``, ``.``, a repetition, a large class) ends a run, and zero-width
assertions (``\\b``, lookarounds) are skipped over (they consume nothing, so the
literals on both sides are adjacent in the subject). A pattern with no such run gets
``None`` (no condition).
"""

from __future__ import annotations

from typing import Any

try:  # the regex engine's own parser (Python 3.11 and later)
    import re._constants as C
    import re._parser as P
except ImportError:  # pragma: no cover - another Python: no literal is certain
    C = P = None  # type: ignore[assignment]

# most strings in one set (a cross product of alternations grows fast)
_CAP = 64

Strings = frozenset[str]
# (strings the node matches exactly, or None; strings every match starts with, or
# None; strings one of which every match contains, or None)
Info = tuple[Strings | None, Strings | None, Strings | None]

_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT) if C is not None else ()
_REPEATS = (
    (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)) if C is not None else ()
)
_OPAQUE: Info = (None, None, None)


def _cross(a: Strings | None, b: Strings | None) -> Strings | None:
    if a is None or b is None or len(a) * len(b) > _CAP:
        return None
    return frozenset(x + y for x in a for y in b)


def _usable(strings: Strings | None) -> bool:
    """A set is a condition only if none of its strings is empty (the empty string is in
    every subject)."""
    return strings is not None and len(strings) > 0 and "" not in strings


def _best(candidates: list[Strings]) -> Strings | None:
    """Any candidate is a valid condition; the one whose shortest string is longest
    rejects the most (then the one with the fewest strings)."""
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(s) for s in c), -len(c)))


def _sequence(items: list[tuple[Any, Any]]) -> Info:
    exact: Strings | None = frozenset([""])
    prefix: Strings | None = frozenset([""])
    prefix_open = True
    run: Strings = frozenset([""])  # the literal strings of the current run of exact items
    candidates: list[Strings] = []
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        e, pre, req = _node(op, av)
        if e is not None:
            exact = _cross(exact, e)
            if prefix_open:
                grown = _cross(prefix, e)
                if grown is None:
                    prefix_open = False  # keep the prefix so far: still a prefix of every match
                else:
                    prefix = grown
            joined = _cross(run, e)
            if joined is None:  # too many strings: close the run, start a new one here
                if _usable(run):
                    candidates.append(run)
                joined = e
            run = joined
            continue
        # an item that is not a set of strings: it ends the run and the prefix, but the
        # strings it starts with follow the run directly
        exact = None
        after = _cross(run, pre)
        if _usable(after):
            candidates.append(after)  # type: ignore[arg-type]
        elif _usable(run):
            candidates.append(run)
        if prefix_open:
            grown = _cross(prefix, pre)
            if _usable(grown):
                prefix = grown
            prefix_open = False
        if _usable(req):
            candidates.append(req)  # type: ignore[arg-type]
        run = frozenset([""])
    if _usable(run):
        candidates.append(run)
    if exact is not None:
        return exact, exact if _usable(exact) else None, exact if _usable(exact) else None
    return None, prefix if _usable(prefix) else None, _best(candidates)


def _node(op: Any, av: Any) -> Info:
    if op == C.LITERAL:
        s = frozenset([chr(av)])
        return s, s, s
    if op == C.IN:
        chars: set[str] = set()
        for o, a in av:
            if o == C.LITERAL:
                chars.add(chr(a))
            elif o == C.RANGE and a[1] - a[0] < 16:
                chars.update(chr(x) for x in range(a[0], a[1] + 1))
            else:  # a negation, a category (\d, \w, \s), a large range
                return _OPAQUE
        s = frozenset(chars)
        return s, s, s
    if op == C.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op == getattr(C, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    if op == C.BRANCH:
        infos = [_sequence(list(b)) for b in av[1]]
        exact: Strings | None = frozenset()
        prefix: Strings | None = frozenset()
        req: Strings | None = frozenset()
        for e, pre, r in infos:
            exact = exact | e if exact is not None and e is not None else None
            prefix = prefix | pre if prefix is not None and pre is not None else None
            r = r if r is not None else (e if _usable(e) else None)
            req = req | r if req is not None and r is not None else None
        if exact is not None and len(exact) > _CAP:
            exact = None
        return exact, prefix if _usable(prefix) else None, req if _usable(req) else None
    if op in _REPEATS:
        lo, hi, sub = av
        e, pre, req = _sequence(list(sub))
        if lo == 0:
            if hi == 1 and e is not None:
                return e | {""}, None, None  # optional: matches one of its strings or nothing
            return _OPAQUE
        if lo == hi == 1:
            return e, pre, req
        # one or more times: every match starts with and contains a match of the item
        return None, pre, req if req is not None else (e if _usable(e) else None)
    return _OPAQUE


def requirement(pattern: str) -> tuple[tuple[bool, str], ...] | None:
    """Literal strings, one of which every match of ``pattern`` holds, as ``(anchored,
    string)`` pairs: an anchored string is where the match starts (the pattern opens
    with ``^``, so at the start of the subject), another anywhere. ``None`` when no
    literal is certain (or this Python's regex parser is not there to read the
    pattern). The strings are as written in the pattern (its case)."""
    if P is None:  # pragma: no cover
        return None
    items = list(P.parse(pattern, 0))
    anchored = bool(items) and items[0] == (C.AT, C.AT_BEGINNING)
    _, prefix, req = _sequence(items[1:] if anchored else items)
    if anchored and prefix is not None:
        return tuple(sorted((True, s) for s in prefix))
    if req is None:
        return None
    return tuple(sorted((False, s) for s in req))
