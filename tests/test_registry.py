from __future__ import annotations

import pytest

from thresher.errors import ConfigError
from thresher.registry import STEPS, step_class
from thresher.step import Step


@pytest.mark.parametrize("name", sorted(STEPS))
def test_every_registered_step_imports_and_builds(name: str) -> None:
    cls = step_class(name)
    assert issubclass(cls, Step) and cls.name == name
    try:
        step = cls()
    except ConfigError as exc:  # a step whose parameters have no defaults (block lists) says so clearly
        assert str(exc).startswith(f"step {name}")
    else:
        assert step.label == name


def test_own_step_by_import_path() -> None:
    assert step_class("tests.support.steps:MinWords").name == "test_min_words"
    with pytest.raises(ConfigError, match="is not a thresher Step"):
        step_class("os.path:join")
    with pytest.raises(ConfigError, match="cannot import"):
        step_class("no.such.module:Thing")


@pytest.mark.parametrize("name", sorted(STEPS))
def test_every_step_is_in_the_readme(name: str) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"`{name}`" in readme, f"step {name} is not described in README.md's step table"
