"""The slower paths: trafilatura (the accurate path the default mode escalates to) and
resiliparse (for comparison), each behind the same small interface.

trafilatura is pure Python over lxml and cannot be interrupted from inside, so it runs
under a watchdog: a SIGALRM timer (POSIX, main thread only) raises in the middle of the
call when the page's time budget runs out. Where no timer is available (a worker thread,
Windows) the overrun is detected after the call returns and the page is quarantined all
the same; the size and depth pre-checks bound how long that can be.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from thresher.errors import require
from thresher.stages.extract.base import Deadline, LimitExceeded


@contextlib.contextmanager
def watchdog(deadline: Deadline) -> Iterator[None]:
    """Raise :class:`LimitExceeded` inside the block when ``deadline`` passes, if possible."""
    remaining = deadline.remaining()
    if remaining <= 0:
        raise LimitExceeded(f"page took longer than max_seconds={deadline.limit:g}")
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        deadline.check()
        return

    def _fire(signum: int, frame: Any) -> None:
        raise LimitExceeded(f"page took longer than max_seconds={deadline.limit:g} (watchdog)")

    # an outer timer (the executor's per-document limit) keeps running: ours fires at
    # the earlier of the two, and the outer one is re-armed with what is left of it
    old_remaining, old_interval = signal.getitimer(signal.ITIMER_REAL)
    budget = min(remaining, old_remaining) if old_remaining > 0 else remaining
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _fire)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_remaining > 0:
            left = old_remaining - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), old_interval)


def extract_trafilatura(
    html: str,
    deadline: Deadline,
    include_tables: bool = True,
    include_comments: bool = False,
    fallbacks: bool = True,
) -> str:
    """trafilatura's main text of ``html`` ('' when it finds none), under the watchdog.

    ``fallbacks=False`` is trafilatura's ``fast`` mode: its own extraction only, without
    the comparison against its readability and jusText fallbacks.
    """
    trafilatura = require("trafilatura", "html")
    with watchdog(deadline):
        text = trafilatura.extract(  # type: ignore[attr-defined]
            html,
            include_tables=include_tables,
            include_comments=include_comments,
            include_images=False,
            deduplicate=False,
            fast=not fallbacks,
        )
    return text or ""


def extract_resiliparse(html: str, include_tables: bool = True, include_comments: bool = False) -> str:
    """resiliparse's main-content text of ``html`` (its own boilerplate rules)."""
    h2t = require("resiliparse.extract.html2text", "html", "resiliparse")
    parse = require("resiliparse.parse.html", "html", "resiliparse")
    tree = parse.HTMLTree.parse(html)  # type: ignore[attr-defined]
    return str(
        h2t.extract_plain_text(  # type: ignore[attr-defined]
            tree,
            main_content=True,
            alt_texts=False,
            links=False,
            form_fields=False,
            comments=include_comments,
            skip_elements=None if include_tables else ["table"],
        )
    )


def merge_texts(accurate: str, fast: str) -> str:
    """``accurate`` with the lines of ``fast`` that it lacks, each in its page position.

    An escalated page's text. On an escalated page the two disagree on what the
    article is, and each keeps blocks the other misses; trafilatura's precision is no
    higher than the fast path's (0.90 on the tuning half of the trafilatura set), so
    the blocks the fast path kept are added where trafilatura left them out: on the
    escalated pages of the tuning half this scored F1 0.9265 over the half, against
    0.9236 for trafilatura's text alone; intersecting the two instead scored 0.9172.
    A fast line goes after the last trafilatura line matched so far, so the page order
    of both is kept.
    """
    acc_lines = [line for line in accurate.split("\n") if line.strip()]
    acc_norm = [" ".join(line.split()) for line in acc_lines]
    norm_acc = " ".join(accurate.split())
    index = {line: i for i, line in enumerate(acc_norm)}
    out: list[str] = []
    done = 0  # accurate lines emitted so far
    for line in fast.split("\n"):
        key = " ".join(line.split())
        if not key:
            continue
        at = index.get(key, -1)
        if at < 0:
            if key not in norm_acc:
                out.append(line)  # a block trafilatura left out
                continue
            # part of a longer trafilatura line (or across two): the first one after
            # those emitted that holds it, if any, is where the page has got to
            at = next((j for j in range(done, len(acc_norm)) if key in acc_norm[j]), -1)
        if at >= done:
            out.extend(acc_lines[done : at + 1])
            done = at + 1
    out.extend(acc_lines[done:])
    return "\n".join(out)
