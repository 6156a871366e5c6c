"""Errors that the CLI turns into one line and exit code 1."""

from __future__ import annotations


class ThresherError(Exception):
    """Base of thresher's own errors: the message is meant for the user, as is."""


class ConfigError(ThresherError):
    """A configuration that cannot run: stops the run before any work starts."""


class InputError(ThresherError):
    """An input that cannot be read at all (missing path, unknown format)."""


class VerifyError(ThresherError):
    """An output folder that does not pass ``thresher verify``."""


class MissingDependency(ThresherError):
    """An optional dependency is not installed; the message gives the pip line."""


def require(module: str, extra: str, package: str | None = None) -> object:
    """Import an optional dependency, or fail with the exact install line."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependency(
            f"{package or module} is needed for this step: pip install 'thresher[{extra}]'"
        ) from None
