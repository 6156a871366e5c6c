"""Pipelines that ship with thresher (the default run, what explain runs)."""
