from __future__ import annotations

import subprocess
import sys

import thresher


def test_all_is_sorted_and_complete() -> None:
    assert thresher.__all__ == sorted(thresher.__all__)
    for name in thresher.__all__:
        assert getattr(thresher, name) is not None


def test_import_is_light() -> None:
    # optional and heavy libraries load where they are used, not at import time
    code = ("import sys, thresher; heavy = [m for m in ('pyarrow', 'fastwarc', 'resiliparse', 'trafilatura', "
            "'ray', 'ftfy', 'wordfreq', 'starlette') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_pipeline_process_in_memory() -> None:
    docs = [thresher.Document(id=str(i), text=t) for i, t in enumerate(["a b c d", "a b", "a b c d"])]
    pipe = thresher.Pipeline.from_config({"steps": [{"tests.support.steps:MinWords": {"min_words": 3}},
                                                    "tests.support.steps:ExactDup"]})
    out = pipe.process(docs)
    assert [d.verdict.status for d in out] == ["kept", "rejected", "rejected"]
    assert out[1].verdict.reasons == ["too_few_words"] and out[2].verdict.reasons == ["exact_duplicate"]
