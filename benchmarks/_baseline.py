"""The textbook baseline behind the batch interface, so it runs through the same code paths."""

from __future__ import annotations

from typing import Any

from classifier.labels import REGION_FIELDS


class BaselineModel:
    """Wraps a fitted ``classifier.topic.textbook_baseline()`` pipeline: topic only."""

    def __init__(self, pipeline: Any):
        self.pipeline = pipeline

    def predict(self, texts: list[str]) -> list[dict]:
        """One record per text: the topic, no probabilities (LinearSVC has none), no region."""
        return [{"topic": str(t), "topic_proba": {}, **dict.fromkeys(REGION_FIELDS, "")}
                for t in self.pipeline.predict(texts)]
