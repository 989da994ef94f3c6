"""The textbook topic baseline: TF-IDF over plain jieba tokens + a linear SVM."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer

from ..labels import REGION_FIELDS, TOPIC_PROBA

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
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(tokenizer=_jieba_lcut, token_pattern=None)),
            ("svm", LinearSVC()),
        ]
    )


class TextbookPredictor:
    """A fitted ``textbook_baseline()`` pipeline behind the batch interface: topic only.

    Lets benchmarks run the baseline through the same batch code paths as the model.
    """

    def __init__(self, pipeline: Any):
        self.pipeline = pipeline

    def predict(self, texts: list[str]) -> list[dict[str, Any]]:
        """One record per text: the topic, no probabilities (LinearSVC has none), no region."""
        return [
            {"topic": str(t), TOPIC_PROBA: {}, **dict.fromkeys(REGION_FIELDS, "")} for t in self.pipeline.predict(texts)
        ]
