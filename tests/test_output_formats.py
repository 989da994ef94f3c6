"""Output formats of `classifier predict`: .jsonl .json .csv .tsv .xlsx .parquet, --excel, --keep-text."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.batch import run_batch
from classifier.cli import main
from classifier.errors import InputError
from classifier.io import FORMATS, OUTPUT_FORMATS, SUFFIX_FORMATS, XLSX_CELL_LIMIT, read_labeled, read_output
from classifier.labels import REGION_FIELDS, TOPICS

SUFFIX = {fmt: spec.suffixes[0] for fmt, spec in OUTPUT_FORMATS.items()}


class FakeModel:
    """Deterministic stand-in predictions from a hash of the text."""

    def predict(self, texts):
        out = []
        for text in texts:
            h = zlib.crc32(text.encode("utf-8"))
            weights = [(h >> (8 * i)) % 97 + 1 for i in range(4)]
            proba = {t: w / sum(weights) for t, w in zip(TOPICS, weights)}
            out.append({"topic": TOPICS[h % 4], "topic_proba": proba, **{f: f"{f}-{h % 7}" for f in REGION_FIELDS}})
        return out


def inputs(n: int) -> list[dict]:
    recs = [
        {"id": f"r{i}", "text": f"第{i}篇 督导评估座谈会", "source": "=SUM(A1:A2)" if i == 2 else "dump"}
        for i in range(n)
    ]
    if n > 3:
        recs[3] = {"id": "r3", "error": "r3: cannot read"}
    return recs


def write_jsonl(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def test_the_format_table_knows_every_suffix_once() -> None:
    assert set(FORMATS) == {"jsonl", "json", "csv", "tsv", "xlsx", "parquet"}
    assert {SUFFIX_FORMATS[s] for s in (".jsonl", ".json", ".csv", ".tsv", ".xlsx", ".parquet")} == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_back_the_same_records(tmp_path: Path, fmt: str) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", inputs(8))
    out = tmp_path / f"out{SUFFIX[fmt]}"
    summary = run_batch([src], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    assert (summary.records, summary.errors) == (8, 1)
    ref = tmp_path / "ref.jsonl"
    run_batch([src], out=ref, predictor=FakeModel(), jobs=1, quiet=True)
    want = list(read_output(ref))
    got = list(read_output(out))
    assert [r["id"] for r in got] == [f"r{i}" for i in range(8)]
    for g, w in zip(got, want):
        assert g.get("error") == w.get("error")
        if "error" in w:
            continue
        assert g["topic"] == w["topic"] and g["region"] == w["region"]
        assert g["topic_proba"] == pytest.approx(w["topic_proba"])
        assert str(g["source"]) == w["source"]  # text stays text, formulas included


def test_json_output_is_one_json_array(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run_batch([write_jsonl(tmp_path / "in.jsonl", inputs(5))], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, list) and [r["id"] for r in data] == ["r0", "r1", "r2", "r3", "r4"]


def test_tsv_output_is_tab_separated(tmp_path: Path) -> None:
    out = tmp_path / "out.tsv"
    run_batch([write_jsonl(tmp_path / "in.jsonl", inputs(5))], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    header = out.read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header[0] == "id" and "topic" in header and "proba_symposium" in header


def test_xlsx_output_opens_in_openpyxl_with_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    run_batch([write_jsonl(tmp_path / "in.jsonl", inputs(5))], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    rows = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[0] == "id" and "topic" in header and "proba_other" in header
    assert len(rows) == 1 + 5
    r2 = dict(zip(header, rows[3]))
    assert r2["source"] == "=SUM(A1:A2)"  # not a formula
    assert isinstance(r2["proba_other"], float)


def test_a_value_too_long_for_an_excel_cell_is_an_error_and_the_journal_is_kept(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "long", "text": "督导" * (XLSX_CELL_LIMIT // 2 + 10)}])
    out = tmp_path / "out.xlsx"
    with pytest.raises(InputError, match="long.*Excel cell"):
        run_batch([src], out=out, predictor=FakeModel(), jobs=1, quiet=True, keep_text=True)
    assert not out.exists() and (tmp_path / "out.xlsx.partial").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "tsv", "json"])
def test_resume_works_in_the_new_formats(tmp_path: Path, fmt: str) -> None:
    recs = inputs(10)
    out = tmp_path / f"out{SUFFIX[fmt]}"
    run_batch([write_jsonl(tmp_path / "a.jsonl", recs[:6])], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    summary = run_batch(
        [write_jsonl(tmp_path / "b.jsonl", recs)], out=out, predictor=FakeModel(), jobs=1, quiet=True, resume=True
    )
    assert summary.skipped == 6
    assert [r["id"] for r in read_output(out)] == [f"r{i}" for i in range(10)]


# ----------------------------------------------------------------------------- the command line


def test_an_unknown_out_suffix_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", inputs(5))
    for name, shown in (("labels.txt", "'.txt'"), ("labels", "no suffix")):
        result = CliRunner().invoke(main, ["predict", str(src), "--out", str(tmp_path / name)])
        assert result.exit_code == 2, result.output
        assert shown in result.output and ".xlsx" in result.output and ".jsonl" in result.output
        assert not (tmp_path / name).exists()


def test_excel_flag_puts_a_bom_in_csv_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import classifier.batch._run as run

    src = write_jsonl(tmp_path / "in.jsonl", inputs(5))  # r3 is an error record: exit status 1
    calls = []
    real = run.run_batch

    def with_fake_model(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **{**kwargs, "model_path": None, "predictor": FakeModel(), "jobs": 1})

    monkeypatch.setattr("classifier.batch.run_batch", with_fake_model)
    runner = CliRunner()
    assert runner.invoke(main, ["predict", str(src), "-q", "--out", str(tmp_path / "a.csv"), "--excel"]).exit_code == 1
    assert runner.invoke(main, ["predict", str(src), "-q", "--out", str(tmp_path / "b.csv")]).exit_code == 1
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert (tmp_path / "b.csv").read_bytes().startswith(b"id,")
    assert [r["id"] for r in read_output(tmp_path / "a.csv")] == [f"r{i}" for i in range(5)]  # the BOM is not in the id
    bad = runner.invoke(main, ["predict", str(src), "--out", str(tmp_path / "c.jsonl"), "--excel"])
    assert bad.exit_code == 2 and "CSV or TSV" in bad.output
    assert [c["bom"] for c in calls] == [True, False]


def test_keep_text_output_is_training_data(tmp_path: Path, tiny_records: list[dict]) -> None:
    """predict --keep-text → (a person corrects labels) → train reads the file as labeled data."""
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": r["id"], "text": r["text"]} for r in tiny_records])
    runner = CliRunner()
    for fmt in ("jsonl", "csv", "xlsx"):
        out = tmp_path / f"pred{SUFFIX[fmt]}"
        result = runner.invoke(main, ["predict", str(src), "--out", str(out), "--keep-text", "--jobs", "1", "-q"])
        assert result.exit_code == 0, result.output
        back = list(read_output(out))
        assert [r["text"] for r in back] == [r["text"] for r in tiny_records]
        assert list(back[0])[-1] == "text"  # after the labels, for a person correcting them
        labeled = read_labeled(out)
        assert [r["text"] for r in labeled] == [r["text"] for r in tiny_records]
        assert [r["topic"] for r in labeled] == [r["topic"] for r in back]
    model = tmp_path / "m.joblib"
    result = runner.invoke(main, ["train", str(tmp_path / "pred.xlsx"), "--out", str(model), "--cv", "0"])
    assert result.exit_code == 0, result.output
    assert model.is_file()


def test_keep_text_without_it_no_text_in_the_output(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", inputs(3))
    out = tmp_path / "out.jsonl"
    run_batch([src], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    assert all("text" not in r for r in read_output(out))
    run_batch([src], out=out, predictor=FakeModel(), jobs=2, quiet=True, keep_text=True, chunk_size=1)
    got = list(read_output(out))
    assert [r.get("text") for r in got] == [r.get("text") for r in inputs(3)]  # error records have none
