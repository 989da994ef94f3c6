"""Hostile input on the reading side (issue 5, item 5): every bad input becomes a clear
error record naming it, and the stream goes on."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from classifier.errors import InputError
from classifier.io import _compressed, _decode, _tabular, iter_records, read_text
from classifier.normalize import normalize

REPO = Path(__file__).resolve().parent.parent
TEXT = "某县召开义务教育优质均衡发展推进会,县教育局负责人出席会议并讲话。"
BIG5_TEXT = "某縣召開義務教育優質均衡發展推進會,縣教育局負責人出席會議並講話。"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(128, 256))
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))


def _one(path: Path) -> dict:
    (rec,) = list(iter_records([path]))
    return rec


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"\n  \n", "empty file"),
        ("image.png", PNG, "binary file (PNG image)"),
        ("paper.pdf", PDF, "binary file (PDF document)"),
        ("archive.zip", ZIP, "binary file (ZIP archive)"),
        ("photo.txt", PNG, "binary file (PNG image)"),  # the name does not matter
    ],
)
def test_bad_files_give_an_error_record_naming_the_file(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    rec = _one(path)
    assert rec["id"] == str(path) and rec["error"].startswith(f"{path}: {message}")  # + what to do


@pytest.mark.parametrize(
    "text, encoding",
    [
        (TEXT, "gbk"),
        (TEXT + "㐀", "gb18030"),
        (BIG5_TEXT, "big5"),
        (TEXT, "utf-16"),
        (TEXT, "utf-16-le"),
        (TEXT, "utf-16-be"),
        (TEXT, "utf-8-sig"),
        (TEXT, "utf-32"),
    ],
)
def test_text_files_in_other_encodings_are_read(tmp_path, text, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    assert _one(path) == {"id": str(path), "text": text}


def test_mixed_encodings_inside_one_jsonl_are_decoded_line_by_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps({"id": "u8", "text": TEXT}, ensure_ascii=False).encode("utf-8"),
        json.dumps({"id": "gbk", "text": TEXT}, ensure_ascii=False).encode("gbk"),
        json.dumps({"id": "big5", "text": BIG5_TEXT}, ensure_ascii=False).encode("big5"),
        json.dumps({"id": "esc", "text": TEXT}).encode("ascii"),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    recs = list(iter_records([path]))
    assert [(r["id"], r["text"]) for r in recs] == [("u8", TEXT), ("gbk", TEXT), ("big5", BIG5_TEXT), ("esc", TEXT)]


def test_invalid_json_lines_become_error_records_and_the_file_goes_on(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "a", "text": "甲。"}\n{"id": "b", "text": \n[1, 2]\n"just a string"\n'
        '{"id": "c"}\n{"id": "d", "text": 5}\n{"id": "e", "text": "  "}\n{"id": "f", "text": "乙。"}\n',
        encoding="utf-8",
    )
    recs = list(iter_records([path]))
    assert [r["id"] for r in recs] == ["a", f"{path}:2", f"{path}:3", f"{path}:4", "c", "d", "e", "f"]
    errors = [r.get("error", "") for r in recs]
    assert errors[1].startswith(f"{path}:2: invalid JSON")
    assert errors[2] == f"{path}:3: a JSON list, not an object"
    assert errors[3] == f"{path}:4: a JSON str, not an object"
    assert errors[4].startswith(f"{path}:5: no 'text' field (columns: id); name the text column with --text-column")
    assert errors[5] == f"{path}:6: 'text' is int, not a string"
    assert errors[6] == f"{path}:7: 'text' is empty"
    assert recs[0]["text"] == "甲。" and recs[-1]["text"] == "乙。"


def test_json_that_python_refuses_becomes_an_error_record(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(
        "[" * 100000 + "\n" + '{"n": ' + "9" * 5000 + ', "text": "x"}\n{"text": "好。"}\n', encoding="utf-8"
    )
    recs = list(iter_records([path]))
    assert [r["id"] for r in recs] == [f"{path}:1", f"{path}:2", f"{path}:3"]
    assert "error" in recs[0] and "error" in recs[1] and recs[2]["text"] == "好。"


def test_csv_without_text_column_gives_one_error_record_naming_its_columns(tmp_path):
    path = tmp_path / "no_text.csv"
    path.write_text("id,body,url\n1,甲。,http://x\n2,乙。,http://y\n", encoding="utf-8")
    (rec,) = iter_records([path])
    assert rec["id"] == str(path)
    assert rec["error"].startswith(f"{path}: CSV has no 'text' column (columns: id, body, url)")
    assert rec["error"].endswith("--text-column body")


def test_a_big_single_line_streams_through(tmp_path):
    path = tmp_path / "big.jsonl"
    big = "教" * (3 * 1024 * 1024)  # 9 MB of UTF-8 on one line
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "big", "text": big}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"id": "small", "text": "小。"}, ensure_ascii=False) + "\n")
    recs = list(iter_records([path]))
    assert [r["id"] for r in recs] == ["big", "small"]
    assert len(recs[0]["text"]) == len(big)


def test_a_line_over_the_limit_is_an_error_record_and_reading_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(_tabular, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "long.jsonl"
    long_line = json.dumps({"id": "long", "text": "x" * 5000}) + "\n"
    path.write_text(
        long_line + json.dumps({"id": "after", "text": "后。"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    recs = list(iter_records([path]))
    assert recs[0] == {
        "id": f"{path}:1",
        "error": f"{path}:1: line of {len(long_line)} bytes is over the limit of 1000 bytes",
    }
    assert recs[1] == {"id": "after", "text": "后。"}


def test_control_chars_and_lone_surrogates_are_read_and_normalised(tmp_path):
    path = tmp_path / "ctrl.jsonl"
    # \ud800 is a lone surrogate escape, legal JSON; \u0000 and \u0007 are control characters.
    path.write_text(
        '{"id": "c\\udc00", "text": "甲\\u0000乙\\ud800丙\\u0007。", "note": "x\\ud83d"}\n', encoding="utf-8"
    )
    (rec,) = list(iter_records([path]))
    assert rec["text"] == "甲\x00乙丙\x07。"
    assert rec["id"] == "c\ufffd" and rec["note"] == "x\ufffd"
    json.dumps(rec, ensure_ascii=False).encode("utf-8")  # writable as it stands
    assert normalize(rec["text"]) == "甲乙丙。"
    txt = tmp_path / "ctrl.txt"
    txt.write_bytes("甲\x01乙\x1b丙。".encode())
    assert normalize(_one(txt)["text"]) == "甲乙丙。"


def test_html_with_scripts_and_styles_reads_as_its_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><style>body{font:12px}</style><script>alert('脚本')</script></head>"
        f"<body><script>var a = '<p>假段落</p>';</script><p>{TEXT}</p></body></html>",
        encoding="gbk",
    )
    assert _one(path)["text"] == TEXT


def test_html_in_a_jsonl_text_column_is_reduced_to_its_text(tmp_path):
    path = tmp_path / "pages.jsonl"
    page = f"<html><head><script>var x = '脚本';</script></head><body><div>{TEXT}</div></body></html>"
    path.write_text(json.dumps({"id": "p", "text": page}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert list(iter_records([path])) == [{"id": "p", "text": TEXT}]


def test_html_without_visible_text_is_an_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text(
        "<html><head><script>var x = 1;</script></head><body><nav>菜单</nav></body></html>", encoding="utf-8"
    )
    assert _one(path)["error"] == f"{path}: HTML page without visible text"


def test_spam_only_text_normalises_to_almost_nothing(tmp_path):
    spam = next((REPO / "seeds").glob("002_*.txt")).read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "spam.txt"
    path.write_text(spam + "\n收藏\n分享\n", encoding="utf-8")
    assert normalize(_one(path)["text"]) == ""


def test_duplicate_ids_pass_through_unchanged(tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text(
        "".join(json.dumps({"id": "same", "text": t}, ensure_ascii=False) + "\n" for t in ("一。", "二。", "一。")),
        encoding="utf-8",
    )
    assert list(iter_records([path, path])) == [{"id": "same", "text": t} for t in ("一。", "二。", "一。") * 2]


def _chmod_unreadable(path: Path) -> None:
    os.chmod(path, 0)
    if os.access(path, os.R_OK):  # root reads anything
        os.chmod(path, 0o644)
        pytest.skip("running as a user that can read mode-000 files (root)")


def test_unreadable_file_is_an_error_record(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text(TEXT, encoding="utf-8")
    _chmod_unreadable(locked)
    try:
        recs = list(iter_records([tmp_path]))
        assert recs == [{"id": str(locked), "error": f"{locked}: permission denied"}]
        with pytest.raises(InputError, match="permission denied"):
            read_text(locked)
    finally:
        os.chmod(locked, 0o644)


def test_unreadable_folder_is_an_error_record(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "z.txt").write_text(TEXT, encoding="utf-8")
    _chmod_unreadable(locked)
    try:
        recs = list(iter_records([tmp_path]))
        assert recs[0] == {"id": str(locked), "error": f"{locked}: permission denied"}
        assert recs[1]["text"] == TEXT
    finally:
        os.chmod(locked, 0o755)


def test_folder_vanishing_mid_run_gives_an_error_record_and_the_run_goes_on(tmp_path):
    for sub in ("a", "b", "c"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "1.txt").write_text(f"{sub}。", encoding="utf-8")
    records = iter_records([tmp_path])
    first = next(records)
    assert first["id"] == str(tmp_path / "a" / "1.txt")
    shutil.rmtree(tmp_path / "b")
    rest = list(records)
    assert rest[0]["id"] == str(tmp_path / "b")
    assert "no longer exists" in rest[0]["error"]
    assert rest[1] == {"id": str(tmp_path / "c" / "1.txt"), "text": "c。"}


def test_file_vanishing_mid_run_gives_an_error_record(tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("文。", encoding="utf-8")
    records = iter_records([tmp_path])
    next(records)
    (tmp_path / "b.txt").unlink()
    rest = list(records)
    assert rest[0] == {"id": str(tmp_path / "b.txt"), "error": f"{tmp_path / 'b.txt'}: no such file"}
    assert rest[1]["text"] == "文。"


def test_mixed_folder_gives_one_record_per_input_with_errors_where_due(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    (tmp_path / "sub").mkdir()
    (tmp_path / "a_good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_image.png").write_bytes(PNG)
    (tmp_path / "d.jsonl").write_text(
        '{"id": "j1", "text": "甲。"}\n{oops\n{"id": "j3", "text": "丙。"}\n', encoding="utf-8"
    )
    (tmp_path / "e.csv").write_text("id,text\nc1,甲。\nc2,\n", encoding="utf-8")
    (tmp_path / "f_notext.csv").write_text("id,body\n1,甲。\n", encoding="utf-8")
    pq.write_table(pa.table({"text": ["帕。", None]}), tmp_path / "g.parquet")
    (tmp_path / "sub" / "h_big5.txt").write_bytes(BIG5_TEXT.encode("big5"))
    (tmp_path / "sub" / "i_page.html").write_text(f"<html><body><p>{TEXT}</p></body></html>", encoding="utf-8")
    (tmp_path / "sub" / "j_data.bin").write_bytes(ZIP)

    recs = list(iter_records([tmp_path]))
    summary = [(Path(str(r["id"]).split(":")[0]).name if "/" in str(r["id"]) else r["id"], "error" in r) for r in recs]
    assert summary == [
        ("a_good.txt", False),
        ("b_empty.txt", True),
        ("c_image.png", True),
        ("j1", False),
        ("d.jsonl", True),
        ("j3", False),
        ("c1", False),
        ("c2", True),
        ("f_notext.csv", True),
        ("g.parquet", False),
        ("g.parquet", True),
        ("h_big5.txt", False),
        ("i_page.html", False),
        ("j_data.bin", True),
    ]
    for rec in recs:
        assert set(rec) >= {"id"} and ("text" in rec) != ("error" in rec)
        if "error" in rec:
            assert str(tmp_path) in rec["error"]


def test_permission_error_is_an_error_record_even_when_running_as_root(tmp_path, monkeypatch):
    # Root reads mode-000 files, so the chmod tests above skip there; simulate the refusal.
    locked, free = tmp_path / "a_locked.txt", tmp_path / "b_free.txt"
    locked.write_text(TEXT, encoding="utf-8")
    free.write_text(TEXT, encoding="utf-8")
    real_open = open

    def guarded_open(file, *args, **kwargs):
        if Path(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(_decode, "open", guarded_open, raising=False)
    monkeypatch.setattr(_compressed, "open", guarded_open, raising=False)
    assert list(iter_records([tmp_path])) == [
        {"id": str(locked), "error": f"{locked}: permission denied"},
        {"id": str(free), "text": TEXT},
    ]


def test_symbolic_link_loop_in_a_folder_is_reported_once(tmp_path):
    (tmp_path / "a.txt").write_text("甲。", encoding="utf-8")
    try:
        (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    except OSError:
        pytest.skip("cannot create symbolic links here")
    recs = list(iter_records([tmp_path]))
    assert recs == [
        {"id": str(tmp_path / "a.txt"), "text": "甲。"},
        {"id": str(tmp_path / "loop"), "error": f"{tmp_path / 'loop'}: folder already read (symbolic link loop)"},
    ]


def test_corrupt_parquet_file_is_an_error_record(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + bytes(range(256)) + b"PAR1")
    (rec,) = list(iter_records([path]))
    assert rec["id"] == str(path) and rec["error"].startswith(f"{path}: not a readable Parquet file")
