"""atheris target: the configuration loader accepts a configuration or raises ConfigError."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import yaml

    from thresher.config import parse_config
    from thresher.errors import ConfigError


def target(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError:
        return  # load_yaml turns these into ConfigError; the parser is not ours to fuzz
    except RecursionError:
        return
    try:
        parse_config(obj)
    except ConfigError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
