"""classifier.io: decoding, HTML, files → records, labeled data, atomic writes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from classifier.errors import InputError
from classifier.io import (
    atomic_write,
    decode_bytes,
    html_to_text,
    iter_records,
    looks_like_html,
    read_labeled,
    read_text,
)

REPO = Path(__file__).resolve().parent.parent
SIMPLIFIED = "教育部督导组到某省某县开展义务教育优质均衡发展督导评估,县政府作自评汇报。"
TRADITIONAL = "教育部督導組到某省某縣開展義務教育優質均衡發展督導評估,縣政府作自評匯報。"


# --- decode_bytes --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, encoding",
    [
        (SIMPLIFIED, "utf-8"),
        (SIMPLIFIED, "utf-8-sig"),
        (SIMPLIFIED, "gbk"),
        (SIMPLIFIED + "㐀䶵", "gb18030"),
        (TRADITIONAL, "big5"),
        (SIMPLIFIED, "utf-16"),  # with BOM
        (SIMPLIFIED, "utf-16-le"),  # without BOM
        (SIMPLIFIED, "utf-16-be"),
        (SIMPLIFIED, "utf-32"),
        ("plain ASCII text, nothing more", "utf-16-le"),
        ("教育", "gbk"),  # short input: both GB18030 and Big5 decode it
        ("會議召開", "big5"),
    ],
)
def test_decode_bytes_reads_the_supported_encodings(text, encoding):
    assert decode_bytes(text.encode(encoding), "x.txt") == text


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "x.bin: empty file"),
        (b" \n\t\r\n", "x.bin: empty file"),
        (b"\xef\xbb\xbf", "x.bin: empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"x.bin: binary file \(PNG image\)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", r"x.bin: binary file \(PDF document\)"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", r"x.bin: binary file \(ZIP archive\)"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", r"x.bin: binary file \(GZIP archive\)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", r"x.bin: binary file \(JPEG image\)"),
        (b"abc\x00\x01\x02\x03def\x00\xff\x10", r"x.bin: binary file"),
        (bytes(range(0x80, 0x100)) * 4, "x.bin: cannot decode as UTF-8, GB18030, Big5 or UTF-16"),
    ],
)
def test_decode_bytes_rejects_bad_input_naming_the_source(data, message):
    with pytest.raises(InputError, match=message):
        decode_bytes(data, "x.bin")


def test_decode_bytes_rejects_a_bom_that_lies():
    with pytest.raises(InputError, match="x.txt: starts with a UTF-8 byte-order mark"):
        decode_bytes(b"\xef\xbb\xbf" + SIMPLIFIED.encode("gbk"), "x.txt")


# --- HTML ------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><title>督导评估启动</title>
<style>p { color: red; } .x::after { content: "样式文字"; }</style>
<script>var s = "脚本文字"; document.write("<p>写入</p>");</script></head>
<body><nav><a href="/">首页</a> &gt; <a href="/news">新闻</a></nav>
<header>网站页眉</header>
<h1>督导评估启动</h1>
<p>会议在<b>某县</b>召开,
   参会人员&nbsp;百余人。</p><div>第二段<br>第三行</div>
<footer>版权所有 页脚</footer><noscript>请开启脚本</noscript></body></html>"""


def test_html_to_text_keeps_visible_text_one_block_a_line():
    text = html_to_text(PAGE)
    assert text.split("\n") == ["督导评估启动", "会议在某县召开, 参会人员\xa0百余人。", "第二段", "第三行"]


@pytest.mark.parametrize("hidden", ["脚本文字", "样式文字", "写入", "网站页眉", "版权所有", "首页", "请开启脚本"])
def test_html_to_text_drops_scripts_styles_and_page_chrome(hidden):
    assert hidden not in html_to_text(PAGE)


def test_html_title_is_kept_when_the_body_does_not_start_with_it():
    assert html_to_text("<html><head><title>标题</title></head><body><p>正文。</p></body></html>") == "标题\n正文。"


@pytest.mark.parametrize(
    "text, expected",
    [
        (PAGE, True),
        ("<div><p>一段</p></div>", True),
        ("<html>", True),
        ("会议通过了《关于<某事>的决定》,a < b 且 c > d。", False),
        (SIMPLIFIED, False),
    ],
)
def test_looks_like_html(text, expected):
    assert looks_like_html(text) is expected


# --- read_text -------------------------------------------------------------------


def test_read_text_decodes_and_reduces_html(tmp_path):
    (tmp_path / "a.txt").write_bytes(SIMPLIFIED.encode("gbk"))
    (tmp_path / "b.html").write_text(PAGE, encoding="utf-8")
    assert read_text(tmp_path / "a.txt") == SIMPLIFIED
    assert read_text(tmp_path / "b.html").startswith("督导评估启动\n会议在某县召开")


def test_read_text_errors_name_the_path(tmp_path):
    with pytest.raises(InputError, match=r"missing\.txt: no such file"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)


# --- iter_records ----------------------------------------------------------------


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_records_keep_ids_and_pass_through_columns_in_order(tmp_path):
    src = _jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": "第一篇。", "url": "http://x/1", "n": 1},
            {"text": "第二篇。", "source": "报"},
        ],
    )
    assert list(iter_records([src])) == [
        {"id": "a", "text": "第一篇。", "url": "http://x/1", "n": 1},
        {"id": f"{src}:2", "text": "第二篇。", "source": "报"},
    ]


def test_other_text_column(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": 1, "body": "正文。", "text": "旧"}])
    assert list(iter_records([src], text_column="body")) == [{"id": 1, "text": "正文。"}]


def test_csv_records_stream_with_ids(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,text,site\nx1,"第一篇,有逗号。",甲\n,第二篇。,乙\n', encoding="utf-8")
    assert list(iter_records([src])) == [
        {"id": "x1", "text": "第一篇,有逗号。", "site": "甲"},
        {"id": f"{src}:2", "text": "第二篇。", "site": "乙"},
    ]


def test_gbk_csv_is_decoded(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(f'text\n"{SIMPLIFIED}"\n'.encode("gbk"))
    assert [r["text"] for r in iter_records([src])] == [SIMPLIFIED]


def test_parquet_records(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["p1", None], "text": ["甲文。", "乙文。"], "k": [1, 2]}), src)
    assert list(iter_records([src])) == [
        {"id": "p1", "text": "甲文。", "k": 1},
        {"id": f"{src}:2", "text": "乙文。", "k": 2},
    ]


def test_json_array_file(tmp_path):
    src = tmp_path / "in.json"
    src.write_text(json.dumps([{"id": "j", "text": "文。"}, 3], ensure_ascii=False), encoding="utf-8")
    recs = list(iter_records([src]))
    assert recs[0] == {"id": "j", "text": "文。"}
    assert recs[1]["error"] == f"{src}:2: a JSON int, not an object"


def test_folder_is_walked_recursively_in_sorted_order_skipping_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("乙。", encoding="utf-8")
    (tmp_path / "a.txt").write_text("甲。", encoding="utf-8")
    (tmp_path / "c.md").write_text("丙。", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("隐。", encoding="utf-8")
    recs = list(iter_records([tmp_path]))
    assert [(r["id"], r["text"]) for r in recs] == [
        (str(tmp_path / "a.txt"), "甲。"),
        (str(tmp_path / "b" / "2.txt"), "乙。"),
        (str(tmp_path / "c.md"), "丙。"),
    ]


def test_missing_source_is_an_error_record_and_the_rest_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("好。", encoding="utf-8")
    recs = list(iter_records([tmp_path / "nope.txt", good]))
    assert recs[0] == {"id": str(tmp_path / "nope.txt"), "error": f"{tmp_path / 'nope.txt'}: no such file or folder"}
    assert recs[1] == {"id": str(good), "text": "好。"}


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_stdin_plain_text_is_one_article(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(("\n" + SIMPLIFIED + "\n第二行。\n").encode("gbk")))
    assert list(iter_records(None)) == [{"id": "-", "text": "\n" + SIMPLIFIED + "\n第二行。\n"}]


def test_stdin_jsonl_is_streamed_per_line(monkeypatch):
    data = '{"id": "s1", "text": "一。"}\n\n{"text": "二。"}\nnot json\n'.encode()
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    recs = list(iter_records(["-"]))
    assert recs[:2] == [{"id": "s1", "text": "一。"}, {"id": "-:3", "text": "二。"}]
    assert recs[2]["id"] == "-:4" and recs[2]["error"].startswith("-:4: invalid JSON")


def test_empty_stdin_is_an_error_record(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    assert list(iter_records("-")) == [{"id": "-", "error": "-: stdin is empty"}]


# --- read_labeled ------------------------------------------------------------------


def test_read_labeled_seed_folder_finds_labels_next_to_it():
    recs = read_labeled(REPO / "seeds")
    assert [r["id"] for r in recs][:1] == ["000_ad498b8498174c2f.txt"]
    assert recs[0]["topic"] == "symposium" and recs[0]["region"] == "江苏省"
    assert recs[0]["city"] == "镇江市" and recs[0]["county"] == "丹阳市"
    assert recs[1]["county"] == ""
    assert all(r["text"] for r in recs) and len(recs) == 5


def test_read_labeled_folder_with_explicit_labels_csv(tmp_path):
    (tmp_path / "a.txt").write_text("甲。", encoding="utf-8")
    labels = tmp_path / "l.csv"
    labels.write_text("file,topic,region,city,county\na.txt,other,全国,,\n", encoding="utf-8")
    assert read_labeled(tmp_path, labels_csv=labels) == [
        {"id": "a.txt", "text": "甲。", "topic": "other", "region": "全国", "city": "", "county": ""}
    ]


def test_read_labeled_jsonl(tmp_path):
    src = _jsonl(tmp_path / "d.jsonl", [{"id": "1", "text": "甲。", "topic": "progress_qa", "region": "全国"}])
    assert read_labeled(src) == [
        {"id": "1", "text": "甲。", "topic": "progress_qa", "region": "全国", "city": "", "county": ""}
    ]


@pytest.mark.parametrize(
    "row, message",
    [
        ({"text": "甲。", "topic": "meeting", "region": "全国"}, r"d\.jsonl:2: unknown topic 'meeting'"),
        ({"text": "甲。", "topic": "other", "region": "江苏"}, r"d\.jsonl:2: unknown region '江苏'"),
        ({"text": "甲。", "region": "全国"}, r"d\.jsonl:2: missing 'topic'"),
        ({"text": "", "topic": "other", "region": "全国"}, r"d\.jsonl:2: 'text' is empty"),
    ],
)
def test_read_labeled_names_file_line_and_bad_value(tmp_path, row, message):
    good = {"text": "好。", "topic": "other", "region": "全国"}
    src = _jsonl(tmp_path / "d.jsonl", [good, row])
    with pytest.raises(InputError, match=message):
        read_labeled(src)


def test_read_labeled_bad_label_in_csv_names_the_csv_line(tmp_path):
    (tmp_path / "a.txt").write_text("甲。", encoding="utf-8")
    (tmp_path / "labels.csv").write_text("file,topic,region\na.txt,other,火星\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"labels\.csv:2: unknown region '火星'"):
        read_labeled(tmp_path)


def test_read_labeled_folder_without_labels_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_text("甲。", encoding="utf-8")
    with pytest.raises(InputError, match="no labels CSV"):
        read_labeled(tmp_path)


# --- atomic_write --------------------------------------------------------------------


def test_atomic_write_replaces_the_file_at_the_end(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old", encoding="utf-8")
    with atomic_write(path) as fh:
        fh.write("新内容\n")
        assert path.read_text(encoding="utf-8") == "old"
    assert path.read_text(encoding="utf-8") == "新内容\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_write_binary(tmp_path):
    with atomic_write(tmp_path / "b.bin", "wb") as fh:
        fh.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_atomic_write_failure_leaves_the_old_file_and_no_temp(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(path) as fh:
        fh.write("half")
        raise RuntimeError("crash")
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_write_failure_creates_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_write(tmp_path / "new.txt") as fh:
        fh.write("x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_bad_mode_and_missing_folder(tmp_path):
    with pytest.raises(InputError, match="mode must be"), atomic_write(tmp_path / "x", "a"):
        pass
    with pytest.raises(InputError, match="does not exist"), atomic_write(tmp_path / "no" / "x"):
        pass
