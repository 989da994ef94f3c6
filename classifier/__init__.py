"""Label scraped Chinese education news articles with their topic and region."""

from __future__ import annotations

from .labels import NATIONAL, PREDICTION_FIELDS, PROVINCES, REGIONS, TOPICS
from .normalize import normalize

__version__ = "0.1.0"

__all__ = ["NATIONAL", "PREDICTION_FIELDS", "PROVINCES", "REGIONS", "TOPICS", "normalize", "__version__"]
