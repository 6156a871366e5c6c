"""Build hook for the optional compiled accelerator; everything else is in pyproject.toml.

``thresher.stages.filter._fastwords`` speeds up the FineWeb filter set's word split and
n-gram statistics. It is optional: without a C compiler or Python headers the build
prints a warning and installs thresher without it, and the filters use their
pure-Python path, which gives the same results.
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
    ]
)
