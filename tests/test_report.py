"""classifier.report: events from prediction records, and the files of the report."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main
from classifier.report import EVENT_COLUMNS, LOW_CONFIDENCE, aggregate, build_report, year_of

P = {"supervision_visit": 0.1, "symposium": 0.8, "progress_qa": 0.05, "other": 0.05}


def rec(
    rid: str,
    topic: str = "symposium",
    region: str = "江苏省",
    dup: str = "",
    date: str = "2019-05-10",
    proba: dict | None = None,
    **extra: str,
) -> dict:
    """A prediction record as `classifier predict` writes it (with the events fields)."""
    proba = dict(P) if proba is None else proba
    if topic not in proba:
        proba = {t: (0.7 if t == topic else 0.1) for t in (*proba, topic)}
    return {
        "id": rid,
        "title": f"{rid} 标题",
        "date": date,
        "duplicate_of": dup,
        "topic": topic,
        "topic_proba": proba,
        "region": region,
        "region_code": "",
        "city": "",
        "city_code": "",
        "county": "",
        "county_code": "",
        **extra,
    }


def small_records() -> list[dict]:
    return [
        rec("a", "symposium", "江苏省", date="2019-05-10", city="镇江市", county="丹阳市"),
        rec("a-mirror-1", "symposium", "江苏省", dup="a"),
        rec("a-mirror-2", "other", "浙江省", dup="a", date="2020-01-01"),  # a copy counts for its event only
        {"id": "broken", "error": "broken: cannot decode"},
        rec("b", "progress_qa", "全国", date="--05-09"),
        rec("c", "supervision_visit", "江苏省", date="2018-03", city="镇江市"),
        rec("d", "other", "", date=""),
        {"id": "e", "topic": "symposium", "topic_proba": P},  # no region, date or events fields at all
    ]


# ----------------------------------------------------------------------------- aggregation


def test_mirror_copies_count_once_and_error_records_are_skipped() -> None:
    agg = aggregate(small_records())
    assert agg.records == 8
    assert agg.errors == 1
    assert agg.duplicates == 2
    assert agg.events == 5
    assert agg.copies_of("a") == 3 and agg.copies_of("b") == 1
    assert agg.by_region_topic[("江苏省", "symposium")] == 1
    assert agg.by_region_topic[("浙江省", "other")] == 0
    assert sum(agg.by_region_topic.values()) == agg.events


def test_years_come_from_iso_dates() -> None:
    assert [year_of(d) for d in ("2019-05-10", "2018-03", "2017", "--05-09", "")] == ["2019", "2018", "2017", "", ""]
    agg = aggregate(small_records())
    assert agg.year_totals() == {"2019": 1, "2018": 1, "": 3}


def test_missing_fields_are_empty() -> None:
    agg = aggregate(small_records())
    assert agg.region_totals()[""] == 2  # d (empty region) and e (no region field)
    assert agg.cities == {("江苏省", "镇江市"): 2}
    assert agg.counties == {("江苏省", "镇江市", "丹阳市"): 1}


def test_topic_set_is_read_from_the_data() -> None:
    custom = {"inspection": 0.6, "meeting": 0.3, "policy": 0.1}
    agg = aggregate([rec("x", "inspection", proba=custom), rec("y", "meeting", proba=custom)])
    assert agg.topic_list == ["inspection", "meeting", "policy"]
    assert agg.topic_totals() == {"inspection": 1, "meeting": 1}


def test_low_confidence_is_the_topic_probability_below_the_threshold() -> None:
    unsure = {"symposium": LOW_CONFIDENCE - 0.01, "other": 1 - LOW_CONFIDENCE + 0.01}
    sure = {"symposium": LOW_CONFIDENCE + 0.01, "other": 1 - LOW_CONFIDENCE - 0.01}
    agg = aggregate(
        [
            rec("x", "symposium", proba=unsure),
            rec("y", "symposium", proba=sure),
            rec("z", "symposium", proba=unsure, dup="x"),
        ]
    )
    assert agg.low_confidence == 1


# ----------------------------------------------------------------------------- files


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_events_csv_has_a_bom_and_one_row_per_event_with_its_copies(tmp_path: Path) -> None:
    summary = build_report(write_jsonl(tmp_path / "p.jsonl", small_records()), tmp_path / "out")
    data = (tmp_path / "out" / "events.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == list(EVENT_COLUMNS)
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert {r["id"]: int(r["copies"]) for r in rows} == {"a": 3, "b": 1, "c": 1, "d": 1, "e": 1}
    assert rows[0]["region"] == "江苏省" and rows[0]["county"] == "丹阳市"
    assert summary.events == 5 and summary.errors == 1 and summary.duplicates == 2


def test_events_xlsx_is_readable_with_the_right_rows(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    records = small_records() + [rec("f", title="=1+2 不是公式", region="湖南省")]
    build_report(write_jsonl(tmp_path / "p.jsonl", records), tmp_path / "out")
    ws = load_workbook(tmp_path / "out" / "events.xlsx", read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(EVENT_COLUMNS)
    by_id = {r[0]: dict(zip(EVENT_COLUMNS, r)) for r in rows[1:]}
    assert list(by_id) == ["a", "b", "c", "d", "e", "f"]
    assert by_id["a"]["copies"] == 3 and by_id["a"]["topic"] == "symposium"
    assert by_id["f"]["title"] == "=1+2 不是公式"  # text, not a formula
    assert by_id["e"]["confidence"] == pytest.approx(0.8)


def test_html_escapes_all_text_and_loads_nothing_from_the_network(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    records = [rec("x", title=evil, city=evil, url="javascript:alert(1)"), rec("y", "symposium", "</script><b>省</b>")]
    build_report(write_jsonl(tmp_path / "p.jsonl", records), tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>省" not in page
    assert len(re.findall(r"<script\b", page)) == 2  # the data block and the page's own code
    assert page.count("</script>") == 2
    assert "&lt;/script&gt;&lt;b&gt;省&lt;/b&gt;" in page  # the province table shows it as text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?https?:""", page)
    assert "default-src 'none'" in page  # the page may not load anything


def test_the_page_carries_a_font_for_every_chinese_name_and_title_it_shows(tmp_path: Path) -> None:
    import base64

    from fontTools.ttLib import TTFont

    build_report(write_jsonl(tmp_path / "p.jsonl", small_records()), tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    embedded = re.search(r"url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)", page)
    assert embedded and "font-src data:" in page
    cmap = TTFont(io.BytesIO(base64.b64decode(embedded.group(1)))).getBestCmap()
    shown = "江苏省浙江省镇江市丹阳市全国新疆维吾尔自治区标题"
    assert not [ch for ch in shown if ord(ch) not in cmap]
    assert len(cmap) < 1500  # cut down to the page, not the whole font


def test_same_events_from_prediction_files_of_every_output_format(tmp_path: Path) -> None:
    from classifier.io import OUTPUT_FORMATS, output_columns, write_output

    records = small_records()
    columns, topics = output_columns(records)
    summaries = {}
    for fmt, spec in OUTPUT_FORMATS.items():
        path = tmp_path / f"p{spec.suffixes[0]}"
        with open(path, "wb" if spec.binary else "w", **({} if spec.binary else {"encoding": "utf-8"})) as f:
            write_output(records, f, fmt, columns, topics)
        summaries[fmt] = build_report(path, tmp_path / f"out_{fmt}")
    counts = {fmt: (s.records, s.errors, s.events, s.duplicates, s.low_confidence) for fmt, s in summaries.items()}
    assert set(counts.values()) == {(8, 1, 5, 2, 3)}, counts  # b, c, d: their topic has p < 0.5
    regions = {fmt: s.aggregates.by_region_topic for fmt, s in summaries.items() if s.aggregates}
    assert all(r == regions["jsonl"] for r in regions.values())


def test_several_files_are_one_stream(tmp_path: Path) -> None:
    recs = small_records()
    one = build_report(write_jsonl(tmp_path / "all.jsonl", recs), tmp_path / "one")
    two = build_report(
        [write_jsonl(tmp_path / "a.jsonl", recs[:2]), write_jsonl(tmp_path / "b.jsonl", recs[2:])], tmp_path / "two"
    )
    assert (one.events, one.duplicates, one.orphans) == (two.events, two.duplicates, two.orphans) == (5, 2, 0)


def test_copies_of_an_event_not_in_the_input_are_reported(tmp_path: Path) -> None:
    summary = build_report(write_jsonl(tmp_path / "p.jsonl", [rec("a"), rec("b", dup="gone")]), tmp_path / "out")
    assert summary.orphans == 1 and summary.events == 1
    assert "1 of an event not in the input" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_cli_report_writes_the_three_files(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "labels.jsonl", small_records())
    result = CliRunner().invoke(main, ["report", str(src), "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "rep").iterdir()) == ["events.csv", "events.xlsx", "report.html"]


def test_cli_report_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    bad = tmp_path / "labels.txt"
    bad.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(bad), "--out", str(tmp_path / "rep")])
    assert result.exit_code != 0
    assert "labels.txt" in result.output and ".jsonl" in result.output
    broken = write_jsonl(tmp_path / "broken.jsonl", [rec("a")])
    with open(broken, "a", encoding="utf-8") as f:
        f.write("{not json\n")
    result = CliRunner().invoke(main, ["report", str(broken), "--out", str(tmp_path / "rep2")])
    assert result.exit_code != 0 and "broken.jsonl" in result.output and "line 2" in result.output
    assert not (tmp_path / "rep2" / "report.html").exists()  # nothing half-written


def test_an_empty_prediction_file_gives_an_empty_report(tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_text("", encoding="utf-8")
    summary = build_report(tmp_path / "p.jsonl", tmp_path / "out")
    assert (summary.records, summary.events) == (0, 0)
    rows = (tmp_path / "out" / "events.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows == [",".join(EVENT_COLUMNS)]
    assert 'id="n-events" data-value="0"' in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
