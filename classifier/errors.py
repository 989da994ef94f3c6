"""Exceptions raised by the package (each message names the input and what is wrong), and the
check of text inputs that every estimator shares."""

from __future__ import annotations

from typing import Any


class ClassifierError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(ClassifierError, ValueError):
    """An input (file, record, text) cannot be read or is not what was expected."""


class ModelError(ClassifierError):
    """A model file is missing, corrupt, tampered with or from an incompatible version."""


class ModelVersionWarning(UserWarning):
    """A model file was written by another scikit-learn release than the one running."""


def check_texts(X: Any, what: str = "X") -> list[str]:
    """``X`` as a list of str, or an InputError saying which item is wrong."""
    if isinstance(X, (str, bytes)):
        raise InputError(f"{what}: expected a list of texts, got a single {type(X).__name__}; wrap it in a list")
    try:
        texts = list(X)
    except TypeError:
        raise InputError(f"{what}: expected a list of texts, got {type(X).__name__}") from None
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputError(f"{what}[{i}]: expected str, got {type(t).__name__}")
    return texts


class UsageError(InputError):
    """The arguments of a run are wrong: a missing input, an output that is one of the inputs."""


class OutputLockedError(UsageError):
    """Another run holds the lock on the output file (the message names it)."""


class OutputError(ClassifierError):
    """The output file cannot be written (full disk, read-only file system, permission)."""
