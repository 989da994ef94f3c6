"""Mirror copies: duplicate_of is "" for an article's first copy in the stream, else that copy's id."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from classifier.events import MirrorIndex, MirrorSignature, find_mirrors, signature
from classifier.events._mirrors import BODY_PERM, NUM_PERM, containment, minhash_values, shingle_hashes, slot_conflicts
from classifier.normalize import normalize

# An invented templated feedback report; {p} province, {c} its capital, {n} counties, {d} day.
TEMPLATE = (
    "国家教育督导检查组对{p}县域义务教育基本均衡发展督导检查反馈意见\n"
    "12月{d}日,{p}县域义务教育基本均衡发展国家督导检查反馈会在{c}举行。教育部副部长出席会议并讲话,"
    "{p}人民政府省长出席会议并作表态发言。国家教育督导检查组组长反馈督导检查意见。\n"
    "本次督导检查,检查组分为5个小组,实地走访了{p}{n}个县(市、区)的学校,召开座谈会,"
    "并通过网络问卷调查、随机访谈等方式听取社会各界意见。检查组认为,{p}各级政府高度重视义务教育均衡发展,"
    "把均衡发展作为教育工作的重中之重,加大投入力度,改善办学条件,校际差距明显缩小,群众满意度较高。\n"
    "检查组同时指出,{p}部分县学校大班额问题仍然存在,教师队伍结构性缺编问题比较突出,"
    "部分学校信息化设备使用率不高,希望{p}进一步巩固成果,推动县域义务教育优质均衡发展。"
)
ZHEJIANG = TEMPLATE.format(p="浙江省", c="杭州市", n=43, d=8)
ANHUI = TEMPLATE.format(p="安徽省", c="合肥市", n=43, d=8)
ZHEJIANG_OTHER_COUNT = TEMPLATE.format(p="浙江省", c="杭州市", n=38, d=8)
OTHER = (
    "为深入了解学前教育发展情况,市人大常委会组织调研组到部分幼儿园开展专题调研。调研组一行先后走访了"
    "城区和乡镇的公办幼儿园、普惠性民办幼儿园,详细了解办园条件、师资配备、保教质量等情况,并召开座谈会听取意见建议。"
    "调研组指出,要坚持公益普惠方向,扩大优质学前教育资源供给,加强教师队伍建设,不断提升保教质量。"
)


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _mirror(text: str) -> str:
    """A mirror page: traditional script, a spam header, navigation and a footer."""
    return "\n".join(
        [
            "首頁 | 新聞 | 教育 | 政務公開",
            "熱門搜索:技術資訊 免費服務熱線 010-00000000",
            _traditional(text),
            "版權所有 © 2024 教育資訊網 京ICP備12345678號",
            "相關閱讀:",
        ]
    )


def _dups(texts: list[str], ids: list[str] | None = None) -> list[str]:
    ids = ids or [f"r{i}" for i in range(len(texts))]
    return list(find_mirrors((i, normalize(t)) for i, t in zip(ids, texts)))


def test_the_first_copy_gets_empty_and_later_copies_its_id():
    assert _dups([ZHEJIANG, OTHER, _mirror(ZHEJIANG), ZHEJIANG]) == ["", "", "r0", "r0"]


def test_the_first_copy_in_input_order_wins_whatever_its_form():
    # the mirror comes first: it is the first copy, the original points at it
    assert _dups([_mirror(ZHEJIANG), ZHEJIANG], ids=["mirror", "orig"]) == ["", "mirror"]


def test_a_copy_in_traditional_script_with_pinyin_glosses_is_found():
    glossed = _traditional(ZHEJIANG).replace("義務", "義務(wù)").replace("發展", "發(fā)展")
    assert _dups([ZHEJIANG, glossed]) == ["", "r0"]


def test_a_copy_truncated_to_60_percent_is_found():
    assert _dups([ZHEJIANG, ZHEJIANG[: int(len(ZHEJIANG) * 0.6)]]) == ["", "r0"]
    assert _dups([ZHEJIANG[: int(len(ZHEJIANG) * 0.6)], ZHEJIANG]) == ["", "r0"]


def test_the_same_release_rewritten_for_another_province_is_not_a_copy():
    assert _dups([ZHEJIANG, ANHUI]) == ["", ""]
    # and a copy of each still finds its own original
    assert _dups([ZHEJIANG, ANHUI, _mirror(ANHUI), _mirror(ZHEJIANG)]) == ["", "", "r1", "r0"]


def test_a_release_with_another_figure_is_not_a_copy():
    assert _dups([ZHEJIANG, ZHEJIANG_OTHER_COUNT]) == ["", ""]


def test_verification_figures_separate_copies_from_templates():
    z, a, m = (signature(normalize(t)) for t in (ZHEJIANG, ANHUI, _mirror(ZHEJIANG)))
    assert min(containment(z, m)) >= 0.8 and slot_conflicts(z, m) == 0
    assert min(containment(z, a)) >= 0.8  # a template shares its sentences: only the slots tell
    assert slot_conflicts(z, a) > 0
    assert max(containment(z, signature(normalize(OTHER)))) < 0.3


def test_articles_opening_with_the_same_sentence_are_not_copies():
    # a window of the first 200 characters alone would call these copies; the body MinHash does not
    opening = ZHEJIANG.split("\n")[1]
    rest_a = "。".join(OTHER for _ in range(3))
    rest_b = "学校要落实立德树人根本任务,加强体育美育劳动教育,减轻学生过重作业负担,促进学生全面发展。" * 8
    assert _dups([opening + "\n" + rest_a, opening + "\n" + rest_b]) == ["", ""]


def test_records_without_text_are_never_copies_and_ids_are_strings():
    index = MirrorIndex()
    assert index.add("a", None) == ""
    assert index.add("b", signature("")) == ""
    assert index.add(7, signature(normalize(ZHEJIANG))) == ""
    assert index.add("c", signature(normalize(ZHEJIANG))) == "7"
    assert len(index) == 1  # only first copies are indexed
    assert index.add(None, signature(normalize(OTHER))) == ""  # no id: nothing can point at it
    assert index.add("d", signature(normalize(OTHER))) == "" and len(index) == 2


def test_signature_is_small_picklable_and_deterministic():
    sig = signature(normalize(ZHEJIANG))
    assert isinstance(sig, MirrorSignature)
    assert sig.hashvalues.dtype == np.uint32 and sig.hashvalues.shape == (NUM_PERM,)
    again = pickle.loads(pickle.dumps(sig))
    assert np.array_equal(again.hashvalues, sig.hashvalues) and np.array_equal(again.slots, sig.slots)
    assert len(pickle.dumps(sig)) < 1500


def test_minhash_is_datasketchs_affine32_minhash_of_the_shingle_hashes():
    datasketch = pytest.importorskip("datasketch")
    hashes = shingle_hashes(normalize(OTHER))
    ref = datasketch.MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=lambda x: x)
    ref.update_batch(hashes.tolist())
    assert np.array_equal(minhash_values(hashes), ref.hashvalues)
    assert np.array_equal(signature(OTHER).minhash().hashvalues, signature(OTHER).hashvalues)


def test_compact_band_table_and_datasketch_lsh_give_the_same_answers():
    pytest.importorskip("datasketch")
    texts = [ZHEJIANG, ANHUI, OTHER, _mirror(ZHEJIANG), ZHEJIANG_OTHER_COUNT, _mirror(ANHUI), OTHER[:90]]
    sigs = [signature(normalize(t)) for t in texts]
    compact, reference = MirrorIndex(), MirrorIndex(lsh="datasketch")
    for i, s in enumerate(sigs):
        assert compact.candidates(s) == reference.candidates(s)
        assert compact.add(i, s) == reference.add(i, s)


def test_compact_band_table_survives_its_merges():
    # Thousands of distinct random signatures force buffer flushes and run merges.
    rng = np.random.default_rng(0)
    index = MirrorIndex()

    def random_signature():
        def values(n):
            return rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)

        return MirrorSignature(values(NUM_PERM), 200, np.zeros(0, np.uint64), values(BODY_PERM), 50)

    sigs = [random_signature() for _ in range(3000)]
    assert all(index.add(i, s) == "" for i, s in enumerate(sigs))
    assert [index.add(f"again{i}", sigs[i]) for i in (0, 1234, 2999)] == ["0", "1234", "2999"]


# ----------------------------------------------------------------------------- planted set


@pytest.fixture(scope="module")
def planted(corpus_path):
    from classifier.evaluation import planted_mirror_set

    paths = [corpus_path, corpus_path.with_name("dev_round2.jsonl")]
    articles = [json.loads(line) for p in paths if p.exists() for line in p.read_text("utf-8").splitlines() if line]
    return planted_mirror_set(articles, seed=0)


def test_planted_set_has_templated_reports_and_copies_of_every_kind(planted):
    from classifier.evaluation import COPY_TRANSFORMS

    assert len(planted.templated_pairs) >= 5  # the corpus's templated reports of different provinces
    kinds = {t for r in planted.records if r["kind"].startswith("copy:") for t in r["kind"][5:].split("+")}
    assert kinds == set(COPY_TRANSFORMS)
    assert sum(r["kind"] == "rewrite" for r in planted.records) >= 20


def test_planted_set_precision_and_recall(planted):
    from classifier.evaluation import mirror_scores

    predicted = list(find_mirrors((r["id"], normalize(r["text"])) for r in planted.records))
    s = mirror_scores(planted, predicted)
    assert s.expected_links >= 250
    assert s.precision >= 0.99, s
    assert s.recall >= 0.95, s
    not_copies = {frozenset(p) for p in planted.templated_pairs + planted.same_event_pairs}
    assert not any(frozenset((r["id"], p)) in not_copies for r, p in zip(planted.records, predicted) if p)
    rewrites = [p for r, p in zip(planted.records, predicted) if r["kind"] == "rewrite"]
    assert sum(bool(p) for p in rewrites) <= 1
