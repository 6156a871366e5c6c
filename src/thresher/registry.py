"""Configuration names of steps and readers, mapped to where they live.

Modules are imported only when a pipeline names them, so ``import thresher`` stays
light and optional dependencies load only where used. A new step adds one line here.
"""

from __future__ import annotations

import importlib

from thresher.errors import ConfigError

STEPS: dict[str, str] = {
    # extract
    "extract": "thresher.stages.extract.extract:Extract",
    # repair
    "fix_mojibake": "thresher.stages.repair.mojibake:FixMojibake",
    "restore_deleted_chars": "thresher.stages.repair.deleted_chars:RestoreDeletedChars",
    "redact_pii": "thresher.stages.repair.pii:RedactPII",
    # language
    "language": "thresher.stages.language.identify:LanguageID",
    # segment / clean
    "clean_furniture": "thresher.stages.clean.furniture:CleanFurniture",
    # filter
    "gopher_repetition": "thresher.stages.filter.gopher_repetition:GopherRepetition",
    "gopher_quality": "thresher.stages.filter.gopher_quality:GopherQuality",
    "c4_quality": "thresher.stages.filter.c4_quality:C4Quality",
    "fineweb_quality": "thresher.stages.filter.fineweb_quality:FineWebQuality",
    "url_filter": "thresher.stages.filter.url_filter:URLFilter",
    "mashup_filter": "thresher.stages.filter.mashup:MashupFilter",
    # dedup
    "exact_dedup": "thresher.stages.dedup.exact:ExactDedup",
    "line_dedup": "thresher.stages.dedup.lines:LineDedup",
    "paragraph_dedup": "thresher.stages.dedup.lines:ParagraphDedup",
    "near_dedup": "thresher.stages.dedup.near:NearDedup",
    "near_dedup_sharded": "thresher.executors.sharded_dedup:ShardedNearDedup",
}


def step_class(name: str) -> type:
    """The class registered under ``name``, or named ``package.module:Class`` (a step of
    your own); a clear error lists the valid names."""
    target = STEPS.get(name)
    if target is None and ":" in name:
        target = name
    if target is None:
        raise ConfigError(f"unknown step {name!r}; valid steps: {', '.join(sorted(STEPS))} "
                          "(or a step of your own as package.module:Class)")
    module, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"step {name!r}: cannot import {target} ({exc})") from None
    from thresher.step import Step

    if not (isinstance(cls, type) and issubclass(cls, Step)):
        raise ConfigError(f"step {name!r}: {target} is not a thresher Step")
    return cls
