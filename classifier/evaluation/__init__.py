"""Evaluation: grouped cross-validation, metrics, calibration, robustness, baselines, reports.

See :mod:`classifier.evaluation._protocol` for the report's keys.
"""

from ..io import read_labeled as read_records  # labeled records of files, under the name it had here
from ._baselines import KeywordRules, keyword_rules
from ._crossval import MAX_SNIPPET, SCHEMA, grouped_folds
from ._files import load_seed_records, read_labeled_files, run_evaluation
from ._grouping import near_duplicate_groups
from ._metrics import bootstrap_ci, calibration, classification_figures
from ._mirrors import COPY_TRANSFORMS, MirrorScores, PlantedMirrors, find_templated, mirror_scores, planted_mirror_set
from ._perturbations import (
    PERTURBATIONS,
    append_footers,
    gbk_roundtrip,
    insert_pinyin,
    prepend_spam,
    to_traditional,
    truncate,
)
from ._plots import (
    plot_confusion,
    plot_learning_curve,
    plot_region_counts,
    plot_reliability,
    plot_robustness,
    report_figures,
)
from ._protocol import (
    SMALL_TOPIC,
    SmallTopicWarning,
    cross_validate_summary,
    describe_data,
    evaluate,
    seed_loo,
    topic_counts_warnings,
    warn_small_topics,
)
from ._region import (
    compare_region_recognisers,
    cpca_region,
    jionlp_region,
    region_out_of_fold,
    region_scores,
)
from ._report import SECTIONS, format_markdown, format_summary, markdown_section, write_report

__all__ = [
    "MAX_SNIPPET",
    "SCHEMA",
    "PERTURBATIONS",
    "SECTIONS",
    "KeywordRules",
    "append_footers",
    "bootstrap_ci",
    "calibration",
    "classification_figures",
    "compare_region_recognisers",
    "cpca_region",
    "cross_validate_summary",
    "SMALL_TOPIC",
    "SmallTopicWarning",
    "topic_counts_warnings",
    "warn_small_topics",
    "describe_data",
    "evaluate",
    "format_markdown",
    "format_summary",
    "gbk_roundtrip",
    "grouped_folds",
    "insert_pinyin",
    "jionlp_region",
    "keyword_rules",
    "load_seed_records",
    "markdown_section",
    "near_duplicate_groups",
    "plot_confusion",
    "plot_learning_curve",
    "plot_region_counts",
    "plot_reliability",
    "plot_robustness",
    "prepend_spam",
    "read_records",
    "region_out_of_fold",
    "region_scores",
    "report_figures",
    "read_labeled_files",
    "run_evaluation",
    "seed_loo",
    "to_traditional",
    "truncate",
    "write_report",
    "COPY_TRANSFORMS",
    "MirrorScores",
    "PlantedMirrors",
    "find_templated",
    "mirror_scores",
    "planted_mirror_set",
]
