"""Region resolution: place mentions, ambiguity, province / city / county, unseen provinces."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sklearn.base import clone

from classifier.errors import InputError
from classifier.labels import NATIONAL, NATIONAL_CODE, PROVINCES, REGION_FIELDS
from classifier.region import RegionResolver, candidate_features, divisions, find_places

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"


def places(text: str) -> list[tuple[str, str]]:
    """(surface, code) of every mention outside organisation names."""
    return [(m.surface, m.code) for m in find_places(text) if not m.org]


def codes(text: str) -> list[str]:
    return [m.code for m in find_places(text)]


# --- the place table -------------------------------------------------------------------------


def test_table_has_every_province_under_its_official_name():
    table = divisions()
    for name, code in PROVINCES.items():
        assert table[code].name == name and table[code].level == "province"


def test_county_resolves_up_the_hierarchy():
    (prov, city, county) = find_places("江苏省镇江市丹阳市召开座谈会")
    assert (prov.code, city.code, county.code) == ("320000", "321100", "321181")
    assert county.city == "321100" and county.province == "320000"


@pytest.mark.parametrize(
    "text, code",
    [
        ("江苏教育工作会议", "320000"),
        ("广西教育厅", "450000"),
        ("新疆教育厅", "650000"),
        ("内蒙古教育厅", "150000"),
        ("延边州教育局", "222400"),
        ("大理白族自治州教育局", "532900"),
        ("阿拉善盟额济纳旗教育局", "152923"),
        ("海南白沙县教育局", "469025"),
    ],
)
def test_short_names_and_autonomous_units_are_found(text, code):
    assert code in codes(text)


def test_xpcc_counts_as_xinjiang():
    assert codes("新疆生产建设兵团教育局召开会议") == ["650000"]


def test_historical_county_name_keeps_the_name_the_article_uses():
    (_, county) = find_places("广西武鸣县教育局")
    assert county.code == "450110" and county.name == "武鸣县"


def test_district_needs_its_full_name_or_context():
    assert places("徐汇区教育局召开会议") == [("徐汇区", "310104")]
    assert places("徐汇教育工作稳步推进") == []
    assert ("徐汇", "310104") in places("上海市徐汇教育工作稳步推进")


# --- ambiguity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("江苏省南京市鼓楼区召开会议", "320106"),
        ("福州市鼓楼区教育局召开会议", "350102"),
        ("北京市朝阳区教委召开会议", "110105"),
        ("吉林省长春市朝阳区教育局召开会议", "220104"),
        ("北京城市副中心通州区召开会议", "110112"),
        ("江苏省南通市通州区召开会议", "320612"),
    ],
)
def test_shared_names_resolve_by_the_province_or_city_named_before(text, code):
    assert codes(text)[-1] == code


def test_shared_name_resolves_by_other_mentions_of_the_article():
    text = "朝阳区教委召开会议。会议在北京举行，海淀、西城等区也派人参加。"
    assert find_places(text)[0].code == "110105"
    text = "朝阳区教育局召开会议。长春市教育局有关负责人到会。"
    assert find_places(text)[0].code == "220104"


def test_short_prefecture_name_is_the_prefecture_not_its_namesake_county():
    assert codes("湖南长沙召开会议") == ["430000", "430100"]
    assert codes("辽宁朝阳市教育局") == ["210000", "211300"]


@pytest.mark.parametrize(
    "text",
    [
        "坚持和平发展道路，推动构建人类命运共同体",
        "东方网记者报道，东方红小学开学了",
        "城区学校和新区、开发区学校的教师参加了培训",
        "锚定西部教育高地，合作共赢",
        "各地要整合教育资源，实现资源共享",
    ],
)
def test_words_that_look_like_places_are_not_places(text):
    assert places(text) == []


def test_street_names_are_not_the_city():
    assert places("在上海南京路步行街") == [("上海", "310000")]
    assert places("学校位于中山路") == []
    assert places("北京长安街沿线") == [("北京", "110000")]


def test_two_character_district_needs_its_city_before_it():
    assert places("山西晋城市城区教育局召开会议")[-1] == ("城区", "140502")
    assert places("城区教育局召开会议") == []


def test_full_name_beats_a_county_stem_it_overlaps():
    # 召开江西省 contains 开江 (开江县, Sichuan).
    assert places("省政府召开江西省教育督导会议") == [("江西省", "360000")]


@pytest.mark.parametrize(
    "text, code",
    [
        ("北京师范大学教授出席会议", "110000"),
        ("中山大学专家出席会议", "442000"),
        ("上海开放大学校长出席会议", "310000"),
        ("新华社北京3月9日电 教育部今天发布通知", "110000"),
        ("(湖州师范学院,浙江湖州 313000)", "330000"),
    ],
)
def test_names_inside_organisations_datelines_and_addresses_are_marked(text, code):
    m = [m for m in find_places(text) if m.code == code]
    assert m and all(x.org for x in m)


def test_school_named_after_its_district_is_evidence_of_the_place():
    (m,) = find_places("点军区联棚乡幼儿园")
    assert m.code == "420504" and not m.org


def test_find_places_rejects_non_text():
    with pytest.raises(InputError, match="str"):
        find_places(b"\xe6\xb1\x9f\xe8\x8b\x8f")


def test_province_abbreviation_in_a_document_number_names_the_province():
    (m,) = find_places("甘政发〔2019〕35号 关于加快发展学前教育的意见")
    assert (m.code, m.kind, m.org) == ("620000", "abbr", False)
    assert find_places("苏教基[2019]3号 关于做好招生工作的通知")[0].code == "320000"


@pytest.mark.parametrize(
    "text",
    [
        "国发〔2018〕9号 关于加强教师队伍建设的通知",
        "教督函〔2023〕7号 关于开展实地核查的通知",
        "甘当人民的老黄牛",
    ],
)
def test_national_document_numbers_and_plain_characters_name_no_province(text):
    assert find_places(text) == []


def test_distinct_county_name_repeated_needs_no_other_context():
    assert places("平潭召开义务教育均衡发展评估反馈会，平潭教育系统参加。") == [("平潭", "350128")] * 2


def test_distinct_county_name_inside_another_division_name_is_not_it():
    # 安新 is 安新县 (河北); 贵安新区 is a different area.
    assert places("贵安新区的学校开展交流活动，贵安新区教育局参加。") == []


def test_mentions_in_a_line_of_headlines_are_debris():
    text = (
        "热点：·浙江省教育厅公布名单 2019-03-05 09:12 ·某中学举行开学典礼 2019-03-04 17:40\n"
        "教育部负责人就督导评估办法答记者问"
    )
    assert [m.org for m in find_places(text)] == [True]


def test_table_of_contents_leaders_are_not_a_headline_list():
    (m,) = find_places("天津市教育规划纲要目录··················1第一章······3")
    assert not m.org


def test_xpcc_addressed_with_all_provinces_is_not_a_place_of_the_event():
    (m,) = find_places("教育部办公厅通知各省、自治区、直辖市教育厅和新疆生产建设兵团教育局")
    assert m.org
    (m,) = find_places("新疆生产建设兵团教育局召开会议")
    assert not m.org


def test_research_centre_named_after_a_province_is_an_organisation():
    (m,) = [m for m in find_places("宁波大学浙江省农村教育研究中心") if m.surface == "浙江省"]
    assert m.org


@pytest.mark.parametrize(
    "text, code",
    [
        ("台北市政府教育局召开会议", "710100"),
        ("新竹县教育处长出席", "710704"),
        ("在台南举办教育论坛", "710500"),
    ],
)
def test_taiwan_cities_and_counties_are_found(text, code):
    (m,) = find_places(text)
    assert (m.code, m.level, m.province) == (code, "city", "710000")


def test_taiwan_only_government_bodies_place_the_article_in_taiwan():
    ms = find_places("教育部国教署函请立法院审议偏远地区学校教育条例")
    assert [(m.surface, m.code, m.kind) for m in ms] == [("国教署", "710000", "body"), ("立法院", "710000", "body")]


def test_a_district_named_with_its_city_is_one_item_of_an_enumeration():
    text = "各地推进义务教育均衡发展，北京市朝阳区、上海市徐汇区交流了经验。"
    codes_, rows = candidate_features(text, find_places(text))
    # Feature 22: share of the candidate's mentions that are items of an enumeration.
    assert rows[codes_.index("110000")][22] == 1.0


def test_a_place_opening_a_longer_list_stands_for_the_list_not_for_the_event():
    text = "教育部公布北京市朝阳区等56个县（市、区）通过国家督导评估认定。"
    codes_, rows = candidate_features(text, find_places(text))
    # Features 0 and 7: log counts of the candidate's plain mentions and of its discounted ones.
    assert rows[codes_.index("110000")][0] == 0.0 and rows[codes_.index("110000")][7] > 0


# --- the resolver on invented articles --------------------------------------------------------

TRAIN = [
    ("浙江省教育厅召开全省义务教育工作会议。浙江省各市教育局局长参加会议，杭州市作交流发言。", "浙江省"),
    ("福建省县域义务教育优质均衡发展推进会在福州召开，福建省教育厅厅长出席并讲话。", "福建省"),
    (
        "四川省成都市锦江区迎接省级督导评估，成都市教育局和锦江区政府汇报工作。",
        {"region": "四川省", "city": "成都市", "county": "锦江区"},
    ),
    ("云南省教育厅在昆明召开新闻发布会，介绍云南省学前教育进展。", "云南省"),
    ("教育部召开新闻发布会，介绍全国义务教育均衡发展情况。各省、自治区、直辖市教育厅参加。", NATIONAL),
    ("国务院教育督导委员会办公室印发通知，部署全国县域义务教育督导评估工作，北京、上海等地要加快推进。", NATIONAL),
    ("教育部有关负责人就全国学前教育普及普惠答记者问，介绍国家层面的工作安排。", NATIONAL),
    ("河南省义务教育均衡发展现场推进会在郑州召开，河南省副省长出席并讲话。", "河南省"),
]


@pytest.fixture(scope="module")
def small_model() -> RegionResolver:
    return RegionResolver().fit([t for t, _ in TRAIN], [y for _, y in TRAIN])


def test_prediction_has_exactly_the_region_fields(small_model):
    (out,) = small_model.predict(["湖北省教育厅召开全省教育督导工作会议，湖北省各地教育局参加。"])
    assert tuple(out) == REGION_FIELDS
    assert out["region"] == "湖北省" and out["region_code"] == "420000"


def test_national_piece_gets_the_national_code(small_model):
    (out,) = small_model.predict(["教育部召开新闻发布会，介绍全国各省义务教育优质均衡发展情况。"])
    assert out == {**dict.fromkeys(REGION_FIELDS, ""), "region": NATIONAL, "region_code": NATIONAL_CODE}


def test_county_implies_its_city(small_model):
    (out,) = small_model.predict(["江苏省镇江市丹阳市召开座谈会，丹阳市教育局局长介绍丹阳经验。"])
    assert (out["city"], out["county"], out["county_code"]) == ("镇江市", "丹阳市", "321181")


def test_municipality_district_leaves_city_empty(small_model):
    (out,) = small_model.predict(["上海市徐汇区迎接督导检查，徐汇区教育局汇报工作。"])
    assert (out["region"], out["city"], out["county"]) == ("上海市", "", "徐汇区")


def test_several_cities_sharing_the_event_leave_city_empty(small_model):
    (out,) = small_model.predict(["广东省教育厅召开会议，广州、深圳、珠海、佛山等市教育局参加，广东省各地交流经验。"])
    assert out["region"] == "广东省" and out["city"] == "" and out["county"] == ""


def test_local_piece_named_only_by_its_local_media_is_about_that_place(small_model):
    text = "我市召开中小学招生工作会议\n攀枝花新闻网 2021-06-08\n本报讯 市教育局召开会议，安排我市中小学秋季招生。"
    (out,) = small_model.predict([text])
    assert (out["region"], out["city"]) == ("四川省", "攀枝花市")


def test_explain_lists_the_mentions_that_decided(small_model):
    ev = small_model.explain("湖南省娄底市双峰县召开座谈会，湖南省教育厅出席。")
    assert {e["code"] for e in ev} >= {"430000", "431300", "431321"}
    assert all(e["province"] == "430000" for e in ev)


def test_explain_of_a_national_piece_lists_national_cues(small_model):
    ev = small_model.explain("教育部召开新闻发布会，介绍全国义务教育情况。")
    assert {e["surface"] for e in ev} >= {"教育部", "全国"}


def test_decision_scores_cover_every_candidate(small_model):
    scores = small_model.decision_scores("浙江省和福建省教育厅联合召开会议，浙江省牵头。")
    assert set(scores) == {"浙江省", "福建省", NATIONAL}
    assert max(scores, key=scores.get) == "浙江省"


def test_resolver_is_a_clonable_estimator(small_model):
    assert clone(small_model).get_params() == small_model.get_params()


def test_resolver_rejects_bad_parameters_as_scikit_learn_does():
    with pytest.raises(ValueError, match="dominance"):
        RegionResolver(dominance=2.0).fit(["江苏省南京市召开会议。", "教育部召开会议。"], ["江苏省", "全国"])
    with pytest.raises(ValueError, match="min_count"):
        RegionResolver(min_count=0).fit(["江苏省南京市召开会议。", "教育部召开会议。"], ["江苏省", "全国"])
    with pytest.raises(TypeError):
        RegionResolver(False)  # type: ignore[misc]  # keyword-only parameters


def test_resolver_rejects_bad_input():
    with pytest.raises(InputError, match=r"y\[0\]"):
        RegionResolver().fit(["江苏"], ["江苏"])
    with pytest.raises(InputError, match="labels for"):
        RegionResolver().fit(["江苏省", "浙江省"], ["江苏省"])
    with pytest.raises(InputError, match=r"X\[1\]"):
        RegionResolver().fit(["江苏省", None], ["江苏省", "全国"])
    with pytest.raises(InputError, match="single str"):
        RegionResolver().fit("江苏省", ["江苏省"])


# --- the corpus-trained resolver --------------------------------------------------------------


def _corpus() -> tuple[list[str], list[dict]]:
    if not CORPUS.exists():
        pytest.skip("corpus ../shared/corpus/dev.jsonl not present")
    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    return [r["text"] for r in rows], [{k: r[k] or "" for k in ("region", "city", "county")} for r in rows]


@pytest.fixture(scope="module")
def corpus_model() -> RegionResolver:
    texts, labels = _corpus()
    return RegionResolver().fit(texts, labels)


def _seeds() -> list[tuple[str, dict]]:
    with open(ROOT / "labels" / "seeds.csv", encoding="utf-8") as fh:
        return [((ROOT / "seeds" / r["file"]).read_text(encoding="utf-8"), r) for r in csv.DictReader(fh)]


@pytest.mark.parametrize("i", range(5))
def test_seed_region_city_and_county(corpus_model, i):
    text, label = _seeds()[i]
    (out,) = corpus_model.predict([text])
    assert (out["region"], out["city"], out["county"]) == (label["region"], label["city"], label["county"])


def test_province_absent_from_training_is_still_found():
    texts, labels = _corpus()
    keep = [i for i, y in enumerate(labels) if y["region"] != "江苏省"]
    model = RegionResolver().fit([texts[i] for i in keep], [labels[i] for i in keep])
    text = (
        "4月20日，江苏省义务教育优质均衡发展推进会在南京召开。江苏省教育厅有关负责人出席会议并讲话，"
        "南京、苏州、无锡等13个设区市教育局负责人参加会议。"
    )
    assert model.predict([text])[0]["region"] == "江苏省"
    macau = "澳门特别行政区教育及青年发展局召开会议，介绍澳门非高等教育发展情况。"
    assert model.predict([macau])[0]["region"] == "澳门特别行政区"


def test_ranker_with_weights_of_another_feature_set_raises_model_error():
    import numpy as np

    from classifier.errors import ModelError
    from classifier.region import RegionRanker

    with pytest.raises(ModelError, match="retrain"):
        RegionRanker(np.zeros(5), 0.0).predict(["江苏省教育厅召开会议"])


def test_a_model_file_weighing_other_region_features_is_refused_on_load(tmp_path):
    import numpy as np

    from classifier.errors import ModelError
    from classifier.model import Predictor, load, save_npz
    from classifier.region import FEATURE_NAMES, RegionRanker

    shipped = load()
    renamed = ("mentions_in_headline", *FEATURE_NAMES[1:])
    ranker = RegionRanker(np.zeros(len(renamed)), 0.0, feature_names=renamed)
    path = save_npz(Predictor(shipped.topic, ranker), tmp_path / "other.npz", {})
    with pytest.raises(ModelError, match=r"other\.npz.*mentions_in_headline.*retrain"):
        load(path)
