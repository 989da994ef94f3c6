"""The textbook topic baseline: TF-IDF over plain jieba tokens + a linear SVM."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


def _jieba_lcut(text: str) -> list[str]:
    # A module function, not the bound jieba.lcut: clone() deep-copies params and the global
    # tokenizer holds a lock.
    return jieba.lcut(text)


def textbook_baseline() -> Pipeline:
    """TF-IDF over plain ``jieba.lcut`` tokens (global jieba, no normalising) + LinearSVC."""
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter on stderr
    return Pipeline([
        ("tfidf", TfidfVectorizer(tokenizer=_jieba_lcut, token_pattern=None)),
        ("svm", LinearSVC()),
    ])
