"""Exceptions raised by the package; each message names the input and what is wrong."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(ClassifierError, ValueError):
    """An input (file, record, text) cannot be read or is not what was expected."""


class ModelError(ClassifierError):
    """A model file is missing, corrupt, tampered with or from an incompatible version."""


class ModelVersionWarning(UserWarning):
    """A model file was written by another scikit-learn release than the one running."""
