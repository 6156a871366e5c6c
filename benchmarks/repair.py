"""Accuracy and speed of the repair steps, against what the peers do, on real data.

Three measurements, one table each section, in one invocation:

1. **Deleted-character repair** (``restore_deleted_chars``). Held-out English pages of
   ../shared/data/corpus/web-text.jsonl.gz (field ``text_main``, English by pycld2; the
   half by id hash that the contextual model was not fitted on, ``evaluation.split_of``),
   mojibake repaired as ``fix_mojibake`` does before this step in the pipeline
   (``evaluation.as_piped``: "isnâ€™t" had an apostrophe), have every non-ASCII character
   deleted, as the seed page had; the step must put them back.
   A *site* is one run of consecutive deleted characters, at its offset in the stripped
   text. A restoration is correct only if it inserts exactly the deleted characters at
   exactly that offset; anything else the step changes (an insertion where nothing was
   deleted, the wrong character, a change to an existing character) is a false positive.
   Pages that were pure ASCII to begin with are run too: every change to them is a false
   positive. Sites are classed by what was deleted: a word-internal apostrophe
   ("Trotsky’s"), a final apostrophe ("workers’ "), a dash between two words with no
   space ("Revolution—admired"), a spaced dash ("a – b"), accented letters, and other
   (quotes, non-breaking spaces, ellipses, symbols). Recall is reported per class; the
   target (>= 0.90) applies to the classes that are recoverable in principle
   (word-internal apostrophes, glued dashes); the others are reported as unrecoverable by
   design. The peers (datatrove, NeMo Curator, Dolma) do not repair: their recall is 0.
2. **Mojibake** (``fix_mojibake``) on ftfy's 161 golden cases, against calling
   ``ftfy.fix_text`` directly (datatrove's FTFY formatter does that): the step must give
   the same text, as replayable edits with exact offsets.
3. **PII** (``redact_pii``) on the labelled set in tests/stages/repair/data/pii_cases.json
   (hand-written, a development set), and its speed on the corpus. The peer, datatrove's
   PIIFormatter, redacts e-mails and public IPv4 addresses only (no phone numbers).

Speeds are CPU seconds of this process (``time.process_time``), so "per core" holds on a
shared machine.

``--baseline COMMIT`` also runs the step as it was at that commit, in the same
invocation; the summary table ends section 1. "Claimed" recall counts the kinds the
configuration restores (apostrophes, accents, and glued dashes unless only flagged);
"detection" recall counts a site restored exactly or covered by a ``damaged`` flag, over
all sites.

Run: ``.venv/bin/python benchmarks/repair.py [--docs 2000] [--speed-docs 2000] [--baseline COMMIT]``
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from thresher.document import Document, Edit
from thresher.stages.repair import evaluation

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "data" / "corpus" / "web-text.jsonl.gz"
FTFY_CASES = SHARED / "data" / "repair" / "ftfy-cases" / "tests" / "test-cases"
PII_CASES = ROOT / "tests" / "stages" / "repair" / "data" / "pii_cases.json"
PII_SAMPLE = ROOT / "tests" / "stages" / "repair" / "data" / "pii_corpus_sample.json"

RECOVERABLE = ("apostrophe", "dash_glued")
CLASSES = ("apostrophe", "apostrophe_final", "dash_glued", "dash_spaced", "accent", "other")
classify = evaluation.classify
strip = evaluation.strip


# ---- deleted characters -------------------------------------------------------------------


def english_pages(limit: int) -> list[str]:
    """The first ``limit`` held-out pages of the corpus that CLD2 reads as English, 300+
    chars (the fit half trained the contextual model: scripts/build_repair_context_model.py)."""
    return evaluation.english_pages(CORPUS, limit, split="heldout")


def baseline_step(commit: str) -> Any:
    """``RestoreDeletedChars`` as it was at ``commit``, to compare against in the same
    invocation: its module (read with git, loaded as a module of its own) with the
    contextual model's weights of that commit (``context_model.json.gz``); the modules
    it imports (the feature functions, the language model) are the working tree's."""
    import importlib.util
    import subprocess
    import sys
    import tempfile

    from thresher.stages.repair.context_model import load_context_model

    def show(rel: str) -> bytes:
        return subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{commit}:src/thresher/stages/repair/{rel}"],
            check=True,
            capture_output=True,
        ).stdout

    folder = Path(tempfile.mkdtemp())
    path = folder / f"deleted_chars_{commit[:10]}.py"
    path.write_bytes(show("deleted_chars.py"))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    if hasattr(module, "load_context_model"):  # the step's setup loads the commit's weights
        weights = folder / "context_model.json.gz"
        weights.write_bytes(show("context_model.json.gz"))
        module.load_context_model = lambda: load_context_model(str(weights))
    return module.RestoreDeletedChars()


def insertions(e: Edit) -> tuple[list[tuple[int, str]], int]:
    """What a replace edit inserted (offset in its input, characters) and how many
    existing characters it changed or removed."""
    ins: list[tuple[int, str]] = []
    changed = 0
    sm = difflib.SequenceMatcher(None, e.original, e.replacement, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "insert":
            ins.append((e.start + i1, e.replacement[j1:j2]))
        elif op != "equal":
            changed += max(i2 - i1, 1)
    return ins, changed


def kind_of(chars: str) -> str:
    return classify(chars, "a", "a") if chars else "other"


def _tally() -> dict[str, Any]:
    return {
        "gold": Counter(),
        "tp": Counter(),
        "fp": Counter(),
        "form_gold": Counter(),
        "form_tp": Counter(),
        "missed": Counter(),
        "fp_examples": [],
        **dict.fromkeys(
            (
                "pages",
                "flags",
                "flags_on_site",
                "detected_sites",
                "ascii_pages",
                "ascii_changed",
                "ascii_flagged",
                "damaged_pages",
                "detected",
            ),
            0,
        ),
    }


def score_deleted(
    step: Any, stripped_pages: list[tuple[str, dict[int, tuple[str, str]], bool]]
) -> dict[str, Any]:
    """Run ``step`` on the stripped pages (text, sites, whether the source kept its
    apostrophes) and count restorations against the sites: over all pages, and over the
    pages whose source kept its apostrophes (``evaluation.source_lacks_apostrophes``)."""
    every, intact = _tally(), _tally()
    cpu = 0.0
    nbytes = 0
    for k, (stripped, sites, source_ok) in enumerate(stripped_pages):
        doc = Document(str(k), stripped)
        t0 = time.process_time()
        step([doc])
        cpu += time.process_time() - t0
        nbytes += len(stripped.encode("utf-8"))
        for r in (every, intact) if source_ok else (every,):
            _count_page(step, r, stripped, sites, doc)
    return {"all": every, "intact": intact, "mb_s": nbytes / 1e6 / max(cpu, 1e-9), "mb": nbytes / 1e6}


def _count_page(
    step: Any, r: dict[str, Any], stripped: str, sites: dict[int, tuple[str, str]], doc: Document
) -> None:
    """Add one repaired page to the tally ``r``."""
    was_ascii = not sites
    r["pages"] += 1
    r["ascii_pages"] += was_ascii
    r["damaged_pages"] += not was_ascii
    for _, cls in sites.values():
        r["gold"][cls] += 1
    page_damaged = bool(doc.signals.get(f"{step.label}.damaged"))
    r["detected"] += page_damaged and not was_ascii
    changed_here = False
    all_ins: list[tuple[int, str]] = []
    covered: set[int] = set()
    for group in doc.edits:
        for e in group.edits:
            if e.action == "flag":
                r["flags"] += 1
                on = [p for p in sites if e.start <= p <= e.end]
                r["flags_on_site"] += bool(on)
                covered.update(on)
                continue
            changed_here = True
            ins, changed = insertions(e)
            all_ins.extend(ins)
            if changed:
                r["fp"][e.label] += changed
            for pos, chars_in in ins:
                site = sites.get(pos)
                if site is not None and evaluation.restores(site[0], chars_in):
                    r["tp"][site[1]] += 1
                    covered.add(pos)
                else:
                    r["fp"][kind_of(chars_in)] += 1
                    if len(r["fp_examples"]) < 12:
                        ctx = stripped[max(0, e.start - 25) : e.end + 25].replace("\n", " ")
                        want = site[0] if site else "nothing"
                        r["fp_examples"].append(
                            f"  {e.original!r} -> {e.replacement!r} (was {want!r}): ...{ctx}..."
                        )
    r["ascii_changed"] += was_ascii and changed_here
    r["detected_sites"] += len(covered)
    restored = {pos for pos, _ in all_ins}
    r["ascii_flagged"] += was_ascii and any(e.action == "flag" for g in doc.edits for e in g.edits)
    for pos, (_, cls) in sites.items():
        if cls != "apostrophe":
            continue
        left = re.search(r"[A-Za-z]*$", stripped[max(0, pos - 30) : pos])
        right = re.match(r"[A-Za-z]*", stripped[pos : pos + 30])
        lw, rw = (left.group() if left else ""), (right.group() if right else "")
        form = apostrophe_form(lw.lower(), rw.lower()) if page_damaged else "page not called damaged"
        r["form_gold"][form] += 1
        r["form_tp"][form] += pos in restored
        if pos not in restored:
            r["missed"][f"{lw}|{rw}".lower()] += 1


# Forms of a word-internal apostrophe, by how recoverable they are in principle (see
# apostrophe_form); the order of the table.
FORMS = (
    "contraction, bare form rare",
    "possessive, plural rare or unlisted",
    "both readings words: its/were/well...",
    "possessive of a listed plural",
    "other: names, elisions, after digits",
    "page not called damaged",
)


def apostrophe_form(left: str, right: str) -> str:
    """The form of the word whose apostrophe was deleted between ``left`` and ``right``
    (lower-cased letters either side): whether the word without it is itself a common
    word, which only the context can then decide (the contractions of
    ``context_model.AMBIGUOUS``; a possessive whose plural has Zipf 3 or more: "years",
    "users"), or not ("dont", "trotskys")."""
    from thresher.stages.repair.context_model import AMBIGUOUS
    from thresher.stages.repair.lexicon import load_lexicon

    lex = load_lexicon("en")
    bare = left + right
    if bare in AMBIGUOUS:
        return "both readings words: its/were/well..."
    if right == "s" and left:
        return (
            "possessive of a listed plural"
            if lex.zipf(bare) >= 3.0
            else "possessive, plural rare or unlisted"
        )
    if right in ("t", "re", "ve", "ll", "d", "m") and left:
        return "contraction, bare form rare"
    return "other: names, elisions, after digits"


def _apostrophe_pr(r: dict[str, Any]) -> str:
    tp, fp, gold = r["tp"]["apostrophe"], r["fp"]["apostrophe"], r["gold"]["apostrophe"]
    return f"{_ratio(tp, tp + fp)}/{_ratio(tp, gold)}"


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  n/a"


def bench_deleted(n_docs: int, baseline: str | None) -> None:
    from thresher.stages.repair.deleted_chars import RestoreDeletedChars

    pages = english_pages(n_docs)
    stripped = [(*strip(p), not evaluation.source_lacks_apostrophes(p)) for p in pages]
    n_lacking = sum(not ok for _, _, ok in stripped)
    configs: dict[str, Any] = {}
    if baseline:
        configs[f"before (git {baseline})"] = baseline_step(baseline)
    configs["default"] = RestoreDeletedChars()
    configs["dash_like_pages=3"] = RestoreDeletedChars(dash_like_pages=3)
    configs["glued_words=flag"] = RestoreDeletedChars(glued_words="flag")
    configs["context_model=False"] = RestoreDeletedChars(context_model=False)
    summary: list[tuple[str, ...]] = []
    print(
        f"\n## 1. Deleted-character repair: {len(pages)} held-out English pages of {CORPUS.name}, "
        "non-ASCII deleted"
    )
    print(
        f"{n_lacking} of them write contractions without an apostrophe in the source already "
        "(evaluation.source_lacks_apostrophes): the tables are the other pages, the line 'all pages' "
        "after each counts these too"
    )
    for name, step in configs.items():
        scored = score_deleted(step, stripped)
        r, a = scored["intact"], scored["all"]
        gold, tp, fp = r["gold"], r["tp"], r["fp"]
        print(f"\n### restore_deleted_chars, {name}")
        print(
            f"damaged pages: {r['damaged_pages']}, detected as damaged: {r['detected']} "
            f"({_ratio(r['detected'], r['damaged_pages'])}); pure-ASCII pages: {r['ascii_pages']}, "
            f"changed: {r['ascii_changed']}"
        )
        print(
            f"{'class':<18}{'sites':>8}{'restored':>10}{'wrong':>8}{'precision':>11}{'recall':>8}{'peers':>7}"
        )
        for cls in CLASSES:
            note = "" if cls in RECOVERABLE or cls == "accent" else "  unrecoverable by design"
            print(
                f"{cls:<18}{gold[cls]:>8}{tp[cls]:>10}{fp[cls]:>8}{_ratio(tp[cls], tp[cls] + fp[cls]):>11}"
                f"{_ratio(tp[cls], gold[cls]):>8}{'0.000':>7}{note}"
            )
        rt, rg = sum(tp[c] for c in RECOVERABLE), sum(gold[c] for c in RECOVERABLE)
        rf = sum(fp[c] for c in RECOVERABLE)
        all_tp, all_fp, all_g = sum(tp.values()), sum(fp.values()), sum(gold.values())
        print(
            f"{'recoverable':<18}{rg:>8}{rt:>10}{rf:>8}{_ratio(rt, rt + rf):>11}{_ratio(rt, rg):>8}{'0.000':>7}"
            "  (apostrophe + dash_glued)"
        )
        print(
            f"{'all':<18}{all_g:>8}{all_tp:>10}{all_fp:>8}{_ratio(all_tp, all_tp + all_fp):>11}"
            f"{_ratio(all_tp, all_g):>8}{'0.000':>7}"
        )
        print(f"flags (damaged, not restored): {r['flags']}, on a deletion site: {r['flags_on_site']}")
        claimed = ["apostrophe", "accent"] + (["dash_glued"] if step.params.glued_words == "restore" else [])
        ct, cf, cg = (sum(x[c] for c in claimed) for x in (tp, fp, gold))
        print(
            f"claimed kinds ({' + '.join(claimed)}): precision {_ratio(ct, ct + cf)}, recall {_ratio(ct, cg)}; "
            f"detection recall (restored exactly or flagged, all {all_g} sites): "
            f"{_ratio(r['detected_sites'], all_g)}"
        )
        summary.append(
            (
                name,
                *(
                    f"{_ratio(tp[c], tp[c] + fp[c])}/{_ratio(tp[c], gold[c])}"
                    for c in ("apostrophe", "dash_glued", "accent")
                ),
                f"{_ratio(ct, ct + cf)}/{_ratio(ct, cg)}",
                f"{_ratio(all_tp, all_tp + all_fp)}",
                _ratio(r["detected_sites"], all_g),
                f"{scored['mb_s']:.1f}",
                _apostrophe_pr(scored["all"]),
            )
        )
        print(
            f"throughput on the stripped pages (all pure ASCII, the slow path): {scored['mb_s']:.1f} MB/s per core "
            f"({scored['mb']:.1f} MB, CPU time)"
        )
        print(
            "false positives on undamaged pages (the pure-ASCII ones: nothing was deleted from them): "
            f"{r['ascii_changed']} of {r['ascii_pages']} changed "
            f"({_ratio(r['ascii_changed'], r['ascii_pages'])}), {r['ascii_flagged']} with a flag; counting "
            f"sources without apostrophes: {a['ascii_changed']} of {a['ascii_pages']} changed; pages that kept a "
            "non-ASCII character are never touched"
        )
        print(
            f"all pages ({a['pages']}, sources without apostrophes too): word-internal apostrophes "
            f"P/R {_apostrophe_pr(a)}; all restorations precision "
            f"{_ratio(sum(a['tp'].values()), sum(a['tp'].values()) + sum(a['fp'].values()))}"
        )
        fg, ft = r["form_gold"], r["form_tp"]
        print(f"{'word-internal apostrophes by form':<40}{'sites':>8}{'restored':>10}{'recall':>8}")
        for form in FORMS:
            print(f"{form:<40}{fg[form]:>8}{ft[form]:>10}{_ratio(ft[form], fg[form]):>8}")
        top = ", ".join(f"{w.replace('|', chr(8217))} {n}" for w, n in r["missed"].most_common(12))
        print(
            f"word-internal apostrophes not restored, by form (top 12 of {sum(r['missed'].values())}): {top}"
        )
        if r["fp_examples"]:
            print(
                "wrong restorations, first 12 (many are apostrophes the author never typed: 'dont', 'its'):"
            )
            print("\n".join(r["fp_examples"]))
    heads = (
        "config",
        "apostrophe P/R",
        "dash_glued P/R",
        "accent P/R",
        "claimed P/R",
        "all P",
        "detect R",
        "MB/s",
        "apostr. all pages",
    )
    widths = (30, 16, 16, 14, 14, 7, 10, 7, 16)
    print("\n### summary (P/R = precision/recall; MB/s per core on the stripped pages)")
    print("".join(f"{h:<{w}}" for h, w in zip(heads, widths)))
    for row in summary:
        print("".join(f"{c:<{w}}" for c, w in zip(row, widths)))


# ---- mojibake -------------------------------------------------------------------------------


def corpus_docs(n_docs: int) -> tuple[list[str], list[Document], float]:
    """The first ``n_docs`` corpus pages as texts and as documents, and their size in MB."""
    texts = evaluation.corpus_texts(CORPUS, n_docs)
    return (
        texts,
        [Document(str(i), t) for i, t in enumerate(texts)],
        sum(len(t.encode("utf-8")) for t in texts) / 1e6,
    )


def timed(step: Any, docs: list[Document]) -> float:
    """CPU seconds of one call of ``step`` on ``docs`` (the documents are changed in place)."""
    t0 = time.process_time()
    step(docs)
    return time.process_time() - t0


def bench_mojibake(n_docs: int) -> None:
    import ftfy

    from thresher.stages.repair.mojibake import FixMojibake

    cases = [c for f in sorted(FTFY_CASES.glob("*.json")) for c in json.loads(f.read_text(encoding="utf-8"))]
    step = FixMojibake(uncurl_quotes=True)  # ftfy's defaults, which the golden "fixed" texts assume
    ok: dict[str, Counter[str]] = {"step": Counter(), "ftfy": Counter()}
    replay = same = 0
    n_edits = 0
    for c in cases:
        doc = Document("c", c["original"])
        step([doc])
        peer = ftfy.fix_text(c["original"])
        ok["step"][c["expect"]] += doc.text == c["fixed"]
        ok["ftfy"][c["expect"]] += peer == c["fixed"]
        replay += doc.original_text() == c["original"]
        same += doc.text == peer
        n_edits += sum(len(g.edits) for g in doc.edits)
    n_pass = sum(c["expect"] == "pass" for c in cases)
    n_fail = len(cases) - n_pass
    print(
        f"\n## 2. Mojibake: ftfy's {len(cases)} golden cases ({n_pass} expected to pass, {n_fail} known failures)"
    )
    print(f"{'':<28}{'pass cases ok':>14}{'known failures ok':>19}{'all ok':>8}")
    for who in ("step", "ftfy"):
        name = "fix_mojibake (edits)" if who == "step" else "ftfy.fix_text (peer)"
        allok = ok[who]["pass"] + ok[who]["fail"]
        print(
            f"{name:<28}{ok[who]['pass']:>6}/{n_pass:<7}{ok[who]['fail']:>11}/{n_fail:<7}{allok / len(cases):>8.3f}"
        )
    print(
        f"same text as ftfy: {same}/{len(cases)}; edits replay to the original: {replay}/{len(cases)}; "
        f"edits recorded: {n_edits}"
    )
    # speed on real pages, with thresher's defaults (curly quotes kept) against ftfy with the same setting
    texts, docs, mb = corpus_docs(n_docs)
    t_step = timed(FixMojibake(), docs)
    cfg = ftfy.TextFixerConfig(uncurl_quotes=False)
    t0 = time.process_time()
    peer_out = [ftfy.fix_text(t, cfg) for t in texts]
    t_peer = time.process_time() - t0
    agree = sum(d.text == p for d, p in zip(docs, peer_out))
    print(
        f"on {len(texts)} corpus pages ({mb:.1f} MB): fix_mojibake {mb / t_step:.1f} MB/s per core, "
        f"ftfy.fix_text {mb / t_peer:.1f} MB/s; same output on {agree}/{len(texts)} pages "
        f"(differences: 'auto' HTML unescaping is decided per page); pages edited: "
        f"{sum(1 for d in docs if d.edits)}"
    )


# ---- PII ------------------------------------------------------------------------------------


def _peer_pii() -> Any:
    try:
        from datatrove.pipeline.formatters import PIIFormatter
    except ImportError:
        return None
    return PIIFormatter()


def bench_pii(n_docs: int) -> None:
    from thresher.stages.repair.pii import RedactPII, find_pii

    cases = json.loads(PII_CASES.read_text(encoding="utf-8"))
    kinds = ("email", "ip_address", "phone")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for c in cases:
        got = [(k, c["text"][s:e]) for s, e, k, _ in find_pii(c["text"], kinds)]
        exp = [tuple(x) for x in c["expect"]]
        for g in got:
            (tp if g in exp else fp)[g[0]] += 1
        for x in exp:
            fn[x[0]] += x not in got
    print(
        f"\n## 3. PII: {len(cases)} labelled sentences (tests/stages/repair/data/pii_cases.json, a development set)"
    )
    print(f"{'kind':<12}{'true':>6}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for k in kinds:
        print(
            f"{k:<12}{tp[k] + fn[k]:>6}{tp[k]:>5}{fp[k]:>5}{fn[k]:>5}{_ratio(tp[k], tp[k] + fp[k]):>11}"
            f"{_ratio(tp[k], tp[k] + fn[k]):>8}"
        )
    # held out: 90 digit runs of the corpus labelled by hand (phone or not)
    sample = json.loads(PII_SAMPLE.read_text(encoding="utf-8"))
    wanted = {r["id"] for r in sample}
    by_id: dict[str, str] = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] in wanted:
                by_id[rec["id"]] = rec.get("text_main") or ""
    stp = sfp = sfn = 0
    for r in sample:
        spans = [(s0, e0) for s0, e0, k, _ in find_pii(by_id[r["id"]], ("phone",))]
        hit = any(s0 < r["end"] and e0 > r["start"] for s0, e0 in spans)
        stp += hit and r["phone"]
        sfp += hit and not r["phone"]
        sfn += (not hit) and r["phone"]
    print(
        f"held out, {len(sample)} hand-labelled digit runs of the corpus ({stp + sfn} phone numbers): "
        f"phone precision {_ratio(stp, stp + sfp)}, recall {_ratio(stp, stp + sfn)}"
    )
    peer = _peer_pii()
    if peer is None:
        print(
            "peer: datatrove is not installed here (pip install datatrove); its PIIFormatter redacts e-mails and "
            "public IPv4 only, so its phone recall is 0 by construction"
        )
    texts, docs, mb = corpus_docs(n_docs)
    dt = timed(RedactPII(), docs)
    counts: Counter[str] = Counter(e.label for d in docs for g in d.edits for e in g.edits)
    print(
        f"on {len(texts)} corpus pages ({mb:.1f} MB): {mb / dt:.1f} MB/s per core; redactions: {dict(counts)}"
    )


def bench_chain(n_docs: int) -> None:
    """The three steps in pipeline order (fix_mojibake -> restore_deleted_chars ->
    redact_pii) on real pages, as they arrive: most keep their non-ASCII characters."""
    from thresher.stages.repair.deleted_chars import RestoreDeletedChars
    from thresher.stages.repair.mojibake import FixMojibake
    from thresher.stages.repair.pii import RedactPII

    texts, docs, mb = corpus_docs(n_docs)
    steps = [FixMojibake(), RestoreDeletedChars(), RedactPII()]
    for st in steps:
        st.ensure_setup()  # the lexicon loads once per process, outside the timing
    print(f"\n## 4. The repair stage on {len(texts)} real corpus pages ({mb:.1f} MB), pipeline order")
    total = 0.0
    for st in steps:
        dt = timed(st, docs)
        total += dt
        print(f"{st.name:<24}{mb / dt:>8.1f} MB/s per core")
    damaged = sum(1 for d in docs if d.signals.get("restore_deleted_chars.damaged"))
    print(
        f"{'all three':<24}{mb / total:>8.1f} MB/s per core; pages called damaged by restore_deleted_chars: {damaged}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000, help="English pages to strip and repair")
    ap.add_argument("--baseline", default=None, help="also run the step as it was at this git commit")
    ap.add_argument("--only-deleted", action="store_true", help="only section 1")
    ap.add_argument(
        "--speed-docs", type=int, default=2000, help="corpus pages for the mojibake and PII speed runs"
    )
    args = ap.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"needs {CORPUS} (the shared data folder)")
    bench_deleted(args.docs, args.baseline)
    if args.only_deleted:
        return
    bench_mojibake(args.speed_docs)
    bench_pii(args.speed_docs)
    bench_chain(args.speed_docs)


if __name__ == "__main__":
    main()
