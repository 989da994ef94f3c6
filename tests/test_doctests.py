"""The Examples sections of the package's docstrings run as written.

They are collected from the *imported* package (the installed one in CI), not from source
files, so the same modules are tested whether the package is installed or editable.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import classifier


def _modules() -> list[str]:
    # Importing __main__ would run the command line.
    packages = pkgutil.walk_packages(classifier.__path__, prefix="classifier.")
    return sorted(info.name for info in packages if not info.name.endswith(".__main__"))


def _with_examples() -> list[str]:
    finder = doctest.DocTestFinder()
    names = []
    for name in _modules():
        module = importlib.import_module(name)
        if any(test.examples for test in finder.find(module)):
            names.append(name)
    return names


def test_the_estimators_docstrings_carry_examples() -> None:
    assert {"classifier.topic._estimator", "classifier.region._estimator", "classifier.model._article"} <= set(
        _with_examples()
    )


@pytest.mark.parametrize("name", _with_examples())
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
