"""Behaviour of classifier.normalize.normalize: clean-ups, debris, mojibake, idempotency."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.errors import InputError
from classifier.normalize import normalize

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def seed_line(prefix: str, start: str) -> str:
    """The first line of seed ``prefix`` that starts with ``start`` (after stripping)."""
    for line in seed_text(prefix).splitlines():
        if line.strip().startswith(start):
            return line
    raise AssertionError(f"seed {prefix} has no line starting with {start!r}")


# --- characters, script, punctuation ----------------------------------------


def test_traditional_becomes_simplified():
    assert normalize("義務教育優質均衡發展督導評估") == "义务教育优质均衡发展督导评估"


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("義務(wù)教育", "义务教育"),
        ("發(fā)展", "发展"),
        ("座談會(huì)在鎮(zhèn)江召開", "座谈会在镇江召开"),
        ("區（qū）域", "区域"),
        ("會(huì)(huì)議", "会议"),
    ],
)
def test_pinyin_glosses_after_han_chars_are_removed(raw, clean):
    assert normalize(raw) == clean


@pytest.mark.parametrize("text", ["教育部(MOE)发布", "附件(a)说明", "(yī)开头", "version (v2) 发布"])
def test_parentheses_that_are_not_pinyin_glosses_stay(text):
    assert normalize(text) == text


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("7月2日,,全国会议召开", "7月2日,全国会议召开"),
        ("会议在广州召开,。会议交流了经验", "会议在广州召开。会议交流了经验"),
        ("教育部副部长,、总督学出席", "教育部副部长、总督学出席"),
        ("会议结束。,随后参观", "会议结束。随后参观"),
        ("县(市,、区)", "县(市、区)"),
        ("一是;;二是", "一是;二是"),
    ],
)
def test_doubled_and_mixed_punctuation_collapses_to_the_strongest_mark(raw, clean):
    assert normalize(raw) == clean


def test_full_width_ascii_becomes_ascii_and_cjk_marks_stay():
    assert normalize("ＡＢＣ１２３，会议（一）召开：“好”。") == "ABC123,会议(一)召开:“好”。"


def test_control_zero_width_and_surrogate_chars_are_removed():
    assert normalize("教\u200b育\x00部\ufeff召\ud800开\u202e会议\x07") == "教育部召开会议"


def test_whitespace_runs_collapse_but_line_breaks_stay():
    assert normalize("第一段  正文 A\t\t B\r\n\r\n\n第二段\u3000正文") == "第一段正文 A B\n第二段正文"


def test_stray_html_tags_and_nbsp_are_removed():
    assert normalize("<p>教育部&nbsp;召开<br/>会议</p><b>A</b>&nbsp;B") == "教育部召开\n会议\nA B"


def test_non_str_input_is_an_input_error():
    with pytest.raises(InputError, match="must be a str"):
        normalize(b"bytes")  # type: ignore[arg-type]


# --- mojibake ----------------------------------------------------------------


def test_seed_004_mojibake_run_that_cannot_be_repaired_is_dropped():
    line = seed_line("004", "今天")
    assert "?" in line
    out = normalize(line)
    assert "为大家教育一司负责人" in out
    assert not set("?砹私逃炕") & set(out)


def test_misaligned_gbk_run_is_realigned():
    # seed 004 "全國31個?。▍^(qū)、市)": the GBK bytes of "省（區" lost their first byte.
    line = seed_line("004", "為深入推進")
    assert "全国31个(区、市)和新疆生产建设兵团" in normalize(line)
    line = seed_line("001", "受省委書記")
    assert "兄弟(区、市)的领导" in normalize(line)


def test_question_marks_in_normal_text_are_kept():
    text = "目标是什么?取得了哪些成效?“为什么?”他问。如何评价?"
    assert normalize(text) == text


def test_invented_mojibake_with_a_stray_latin_letter_is_dropped():
    # "?" for a lost GBK byte, then the orphan trail byte 'h' (as in 縣 = BF 68).
    assert normalize("会议由?h教育局局长主持") == "会议由教育局局长主持"


# --- debris lines -------------------------------------------------------------

SEED_DEBRIS = [
    ("000", "來源:本文"),  # source / disclaimer footer
    ("000", "聲明:江蘇教育黃頁"),  # 声明
    ("000", "Copyright"),  # copyright
    ("000", "蘇公網"),  # 公网安备
    ("000", "蘇ICP備"),  # ICP
    ("000", "南京思必達"),  # 版权所有
    ("001", "![廣東省人民政府"),  # markdown image
    ("001", "![長者專區"),
    ("002", "成人免费AV网址"),  # spam link line
    ("002", "首頁(yè)>地方頻道"),  # breadcrumb
    ("002", "641.jpg"),  # image file names
    ("002", "640 (1).jpg"),
    ("002", "(來(lái)源:"),  # source line
    ("002", "聲明:本媒體"),
    ("002", "1280"),  # counter
    ("002", "收藏"),  # share widgets
    ("002", "分享"),
    ("003", "教育装备采购网 2020"),  # date + view counter (围观395次)
    ("003", "来源:湖南省教育厅"),  # source + 责任编辑
    ("003", "相关阅读"),  # related reading header ...
    ("003", "• 2024年东北教育装备展示会"),  # ... and its list
    ("003", "2024年东北教育装备展示会04-09"),
    ("003", "数字赋能新时代"),
    ("003", "• 攀枝花学院召开"),
    ("003", "版权与免责声明"),
    ("003", "① 凡本网注明"),
    ("003", "② 本网凡注明"),
    ("004", "當前位置"),  # breadcrumb
    ("004", "2024年08月19日 17:18"),  # dated link list
    ("004", "時間:2024年11月12日"),
    ("004", "警告:未經"),  # copyright warning
]


@pytest.mark.parametrize("seed, start", SEED_DEBRIS)
def test_seed_debris_line_is_dropped(seed, start):
    line = seed_line(seed, start)
    alone = normalize(line)
    out_lines = normalize(seed_text(seed)).split("\n")
    assert not alone or alone not in out_lines
    assert not any(alone and alone in out for out in out_lines)


SEED_BODY = [
    ("000", "全省义务教育优质均衡发展座谈会在镇江丹阳市召开"),
    ("000", "省社会科学院相关专家作专题报告"),
    ("001", "全国义务教育均衡发展推进会召开"),
    ("001", "全国义务教育均衡发展推进会暨对广东省义务教育发展督导检查反馈会在广州召开。"),
    ("001", "教育部副部长、总督学刘利民出席会议并讲话。"),
    ("002", "本市对徐汇区开展学前教育普及普惠和义务教育优质均衡发展省级督导评估"),
    ("002", "上海市人民政府教育督导委员会办公室对徐汇区"),
    ("003", "湖南省基础教育优质均衡发展研讨会在双峰县召开"),
    ("003", "本次研讨会由湖南教育报刊集团、娄底市教育局联合主办"),
    ("004", "教育部基础教育一司负责同志回答了记者的提问"),
    ("004", "问:请问在落实备忘录的过程中,各省如何发挥省级统筹作用?"),
]


@pytest.mark.parametrize("seed, sentence", SEED_BODY)
def test_seed_body_sentences_survive(seed, sentence):
    assert sentence in normalize(seed_text(seed))


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_seed_keeps_its_long_body_paragraphs_whole(seed):
    raw = seed_text(seed)
    out = normalize(raw).split("\n")
    paragraphs = [normalize(line) for line in raw.splitlines() if len(line.strip()) >= 150]
    body = [p for p in paragraphs if "版权" not in p and "本网" not in p]
    assert len(body) >= 2
    for paragraph in body:
        assert paragraph in out


def test_spam_only_text_normalises_to_nothing():
    assert normalize(seed_line("002", "成人免费AV网址")) == ""


@pytest.mark.parametrize(
    "text",
    [
        "据统计,这些经费的来源包括中央和地方两级财政,总额较上年有所增长。",
        "2019年12月13日,全省教育工作会议在省会召开,会议总结了全年工作。",
        "会议强调,要坚决杜绝侵权行为,维护师生合法权益,依法治校。",
        "王小丫:大家好。",
        "湖南省基础教育优质均衡发展研讨会召开",
    ],
)
def test_body_sentences_that_mention_debris_words_stay(text):
    assert normalize(text) == text


@pytest.mark.parametrize(
    "line",
    [
        "当前位置:首页 > 新闻中心 > 要闻",
        "您的位置:首页>>政务公开>>政府文件",
        "https://www.example.gov.cn/",
        "![](images/banner.png)",
        "photo_001.jpg",
        "版权所有 © 2024 某某教育网 京ICP备12345678号",
        "京公网安备11010502030000号",
        "来源:某某日报 作者:张三",
        "责任编辑:李四",
        "发布时间:2024-05-06 10:20 点击量:1234",
        "浏览次数:88",
        "字号: 默认 超大 | 打印 | 关闭",
        "扫一扫在手机打开当前页",
        "分享到:",
        "上一篇:某某学校举办运动会",
    ],
)
def test_invented_debris_lines_are_dropped(line):
    assert normalize("某县召开教育工作会议,部署全年重点任务。\n" + line) == "某县召开教育工作会议,部署全年重点任务。"


def test_related_reading_list_is_dropped_until_the_body_resumes():
    text = (
        "某县召开教育工作会议。\n相关新闻\n• 甲校举办运动会\n乙校开展读书月活动05-12\n"
        "丙校师生参加志愿服务活动,受到社区居民好评,活动持续一周,参与人数超过三百人次...\n"
        "会议要求各校认真落实本次会议精神,切实做好下一阶段的各项工作,确保全年目标任务顺利完成。"
    )
    assert normalize(text) == (
        "某县召开教育工作会议。\n会议要求各校认真落实本次会议精神,切实做好下一阶段的各项工作,确保全年目标任务顺利完成。"
    )


def test_title_glued_to_a_meta_field_keeps_the_title():
    assert normalize("某省教育事业发展规划全文发布 发布时间:2022-03-19 17:05") == "某省教育事业发展规划全文发布"


# --- properties ---------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "?",
        "?!",
        "??",
        "(qū)",
        "(wù)",
        "W",
        "h",
        "義",
        "縣",
        "区",
        "教育",
        "，",
        ",",
        "。",
        "、",
        ",,",
        "|",
        ">",
        "首页",
        "来源:",
        "相关阅读",
        "<p>",
        "</p>",
        "<",
        "&nbsp;",
        "！",
        "（",
        "）",
        "\u3000",
        "\ufffd",
        "\n",
        " ",
        "\ud800",
        "\x00",
        "\u200b",
        "砹",
        "▍",
        "^",
        "2024-01-02 10:20",
        "…",
        "...",
        "•",
        "jpg",
        ".png",
    ]
)
_MESSY = st.lists(_PIECES, max_size=30).map("".join)
_ANY = st.text(alphabet=st.characters(blacklist_categories=()), max_size=200)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_ANY, _MESSY))
def test_normalize_never_raises_is_deterministic_and_idempotent(text):
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(text) == once
    assert normalize(once) == once


def test_normalize_is_idempotent_on_the_seeds():
    for path in sorted(SEEDS.glob("*.txt")):
        once = normalize(path.read_text(encoding="utf-8"))
        assert normalize(once) == once, path.name


def test_normalize_is_idempotent_on_the_dev_corpus():
    import json

    corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "dev.jsonl"
    if not corpus.exists():
        pytest.skip("dev corpus not available")
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            once = normalize(text)
            assert normalize(once) == once


@pytest.mark.parametrize(
    "line",
    [
        "【推广】点击领取免费资料 http://example.com/a",
        "热门推荐:www.example-site.com 立即查看",
        "本文链接://www.example.com/policy/1.html",
        "扫码关注公众号,回复1获取更多资讯",
    ],
)
def test_short_link_and_advert_lines_are_dropped(line) -> None:
    body = "全省义务教育优质均衡发展座谈会在镇江丹阳市召开。"
    assert normalize(line + "\n" + body) == body


def test_a_long_body_sentence_citing_a_url_is_kept() -> None:
    body = (
        "各地要按照教育部印发的办法认真组织评估认定工作,具体要求详见教育部网站 http://www.moe.gov.cn 发布的通知,"
        "并于年底前报送材料。"
    )
    assert "http://www.moe.gov.cn" in normalize(body)
