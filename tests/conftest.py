"""Shared fixtures: the repo's seeds, the corpus beside the checkout, a tiny invented corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Beside the checkout (as CI has it); CLASSIFIER_CORPUS names the folder elsewhere.
CORPUS_DIR = Path(os.environ.get("CLASSIFIER_CORPUS", ROOT.parent / "shared" / "corpus"))
CORPUS = CORPUS_DIR / "dev.jsonl"

# Invented one-paragraph articles, a few per topic and region: enough to fit a model in a second.
_TINY = [
    (
        "supervision_visit",
        "江苏省",
        "镇江市",
        "丹阳市",
        "省督导组对丹阳市义务教育优质均衡发展进行实地督导评估，召开反馈会，督导组反馈了评估认定意见。",
    ),
    (
        "supervision_visit",
        "浙江省",
        "杭州市",
        "",
        "国家督导检查组来到杭州市，对义务教育基本均衡发展开展督导检查并召开督导反馈会。",
    ),
    (
        "supervision_visit",
        "四川省",
        "",
        "",
        "四川省接受义务教育发展基本均衡县国家督导评估，督导组实地核查学校，检查验收后反馈意见。",
    ),
    (
        "supervision_visit",
        "河南省",
        "洛阳市",
        "",
        "市级复评组到洛阳市开展督导评估，听取自评汇报会，实地督导检查学校办学条件。",
    ),
    (
        "symposium",
        "湖南省",
        "娄底市",
        "双峰县",
        "全省基础教育优质均衡发展研讨会在双峰县召开，各地教育局负责人座谈交流经验。",
    ),
    ("symposium", "广东省", "", "", "广东省召开义务教育优质均衡发展推进会，部署下一步工作，各市交流经验做法。"),
    ("symposium", "山东省", "济南市", "", "义务教育均衡发展经验交流会在济南市召开，与会代表座谈讨论，专家作专题报告。"),
    ("symposium", "福建省", "", "", "福建省教育工作会议暨现场会召开，会议总结工作，研讨推进县域义务教育优质均衡。"),
    (
        "progress_qa",
        "全国",
        "",
        "",
        "教育部负责人就义务教育均衡发展进展情况答记者问。问：进展如何？答：各地积极推进，成效明显。",
    ),
    (
        "progress_qa",
        "云南省",
        "",
        "",
        "云南省教育厅负责人回答记者提问。问：今年优质均衡创建进展怎样？答：全省稳步推进。",
    ),
    (
        "progress_qa",
        "全国",
        "",
        "",
        "新闻发布会上，教育部基础教育司司长回答记者提问，介绍义务教育均衡发展取得的进展。问：下一步？答：继续推进。",
    ),
    (
        "progress_qa",
        "北京市",
        "",
        "",
        "北京市教委负责人答记者问。问：学区制改革进展如何？答：全市各区有序推进，成效初显。",
    ),
    (
        "other",
        "全国",
        "",
        "",
        "关于印发县域义务教育优质均衡发展督导评估办法的通知，各省、自治区、直辖市教育厅认真贯彻执行。",
    ),
    ("other", "全国", "", "", "本文研究我国城乡义务教育均衡发展的影响因素，基于统计数据进行实证分析并提出政策建议。"),
    ("other", "陕西省", "", "", "陕西省公布通过义务教育基本均衡发展评估认定的县区名单，统计公报显示办学条件持续改善。"),
    ("other", "全国", "", "", "2023年全国教育事业发展统计公报发布，义务教育阶段学校数、在校生数和专任教师数据如下。"),
]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def tiny_records() -> list[dict[str, str]]:
    """Invented labeled articles (no corpus text)."""
    return [
        {"id": f"tiny{i}", "topic": t, "region": r, "city": c, "county": k, "text": text}
        for i, (t, r, c, k, text) in enumerate(_TINY)
    ]


@pytest.fixture(scope="session")
def tiny_jsonl(tmp_path_factory, tiny_records) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in tiny_records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    """The labeled dev corpus beside the checkout; tests that need it skip without it."""
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is not there")
    return CORPUS


@pytest.fixture(scope="session")
def dev_and_seed_records(corpus_path) -> list[dict[str, str]]:
    """The labeled dev corpus and the seeds (``read_labeled``), for fitting or scoring on them."""
    from classifier.io import read_labeled

    return read_labeled(corpus_path) + read_labeled(ROOT / "seeds", labels_csv=ROOT / "labels" / "seeds.csv")
