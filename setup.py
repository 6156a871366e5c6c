"""Build hook for the optional compiled accelerators; everything else is in pyproject.toml.

Four C modules speed up the hottest loops, each beside the Python code it accelerates:
``thresher.stages.filter._fastwords`` (the FineWeb filter set's word split, line rules
and n-gram statistics), ``thresher.stages.filter._mashfeat`` (the mash-up filter's
per-sentence features and the segmenter's rules), ``thresher.stages.clean._furnfast``
(furniture removal's line and sentence gates) and ``thresher.stages.repair._repairfast``
(the mojibake and PII steps' prechecks). They are optional: without a C compiler
or Python headers the build prints a warning and installs thresher without them, and
the steps use their pure-Python twins, which give the same results.
"""

from setuptools import Extension, setup


def _optional(module: str, *flags: str) -> Extension:
    """The C module ``module`` (a dotted name under src/), optional, built with -O2."""
    source = "src/" + module.replace(".", "/") + ".c"
    return Extension(module, sources=[source], optional=True, extra_compile_args=["-O2", *flags])


setup(
    ext_modules=[
        _optional("thresher.stages.filter._fastwords"),
        # mashup_filter's per-sentence features; no floating-point contraction, so that
        # its sums are the ones the pure-Python path computes, bit for bit
        _optional("thresher.stages.filter._mashfeat", "-ffp-contract=off"),
        # clean_furniture's line and sentence gates
        _optional("thresher.stages.clean._furnfast"),
        # fix_mojibake's line prechecks and character alignment, redact_pii's scan
        _optional("thresher.stages.repair._repairfast"),
    ]
)
