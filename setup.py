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

setup(
    ext_modules=[
        Extension(
            "thresher.stages.filter._fastwords",
            sources=["src/thresher/stages/filter/_fastwords.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
        # mashup_filter's per-sentence features; no floating-point contraction, so that
        # its sums are the ones the pure-Python path computes, bit for bit
        Extension(
            "thresher.stages.filter._mashfeat",
            sources=["src/thresher/stages/filter/_mashfeat.c"],
            optional=True,
            extra_compile_args=["-O2", "-ffp-contract=off"],
        ),
        # clean_furniture's line gate
        Extension(
            "thresher.stages.clean._furnfast",
            sources=["src/thresher/stages/clean/_furnfast.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
        # fix_mojibake's line prechecks and character alignment
        Extension(
            "thresher.stages.repair._repairfast",
            sources=["src/thresher/stages/repair/_repairfast.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
    ]
)
