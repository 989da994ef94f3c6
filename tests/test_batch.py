"""Batch prediction: order, one output per input, failures, parallel, atomic files, resume."""

from __future__ import annotations

import io
import json
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import batch
from classifier import io as cio
from classifier.batch import _run, predict_records, run_batch
from classifier.errors import OutputError
from classifier.io import _writers, read_output
from classifier.labels import ERROR_FIELD, EVENT_FIELDS, PREDICTION_FIELDS, REGION_FIELDS, TOPICS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


class FakeModel:
    """A picklable stand-in: deterministic predictions from a hash; fails on 'BOOM'."""

    def predict(self, texts):
        out = []
        for text in texts:
            if "BOOM" in text:
                raise RuntimeError("boom")
            h = zlib.crc32(text.encode("utf-8", "surrogatepass"))
            weights = [(h >> (8 * i)) % 97 + 1 for i in range(4)]
            proba = {t: w / sum(weights) for t, w in zip(TOPICS, weights)}
            out.append(
                {
                    "topic": TOPICS[h % 4],
                    "topic_proba": proba,
                    **{f: f"{f}-{h % 7}" for f in REGION_FIELDS},
                    **{f: f"{f}-{h % 5}" for f in EVENT_FIELDS},
                }
            )
        return out

    def explain(self, text):
        return {"length": len(text)}


def _real_model_path():
    try:
        from classifier.model import default_model_path
    except ImportError:
        return None
    path = default_model_path()
    return path if path.is_file() else None


def records(n, fail_every=0, error_every=0):
    """Input records as classifier.io gives them, some failing, some already errors."""
    out = []
    for i in range(n):
        if error_every and i % error_every == 3:
            out.append({"id": f"r{i}", "error": f"r{i}: cannot read"})
            continue
        text = f"第{i}篇 督导评估座谈会"
        if fail_every and i % fail_every == 1:
            text += " BOOM"
        out.append({"id": f"r{i}", "text": text, "source": "dump", "n": i})
    return out


def write_jsonl(path, recs):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- predict_records


def test_one_output_per_input_in_order_with_failures_kept_going():
    recs = records(700, fail_every=50, error_every=40)
    out = list(predict_records(recs, predictor=FakeModel(), jobs=1, chunk_size=64))
    assert [r["id"] for r in out] == [r["id"] for r in recs]
    for rec, res in zip(recs, out):
        if "error" in rec:
            assert res == rec  # the input's error record, unchanged
        elif "BOOM" in rec["text"]:
            assert res[ERROR_FIELD].startswith(f"record '{rec['id']}': prediction failed")
            assert "topic" not in res
        else:
            assert list(res) == ["id", "source", "n", *PREDICTION_FIELDS]
            assert "text" not in res
    # the failing record's neighbours in the same chunk still got predictions
    assert "topic" in out[2] and "topic" in out[0]


def test_jobs_2_output_identical_to_jobs_1():
    recs = records(1500, fail_every=97, error_every=41)
    one = list(predict_records(recs, predictor=FakeModel(), jobs=1, chunk_size=50))
    two = list(predict_records(recs, predictor=FakeModel(), jobs=2, chunk_size=50))
    assert two == one
    assert len(one) == 1500


def test_jobs_2_output_identical_to_jobs_1_with_the_shipped_model():
    path = _real_model_path()
    if path is None:
        pytest.skip("no shipped model (classifier/data/model.joblib) yet")
    lines = [line for seed in SEEDS for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    recs = [{"id": i, "text": "\n".join(lines[i % len(lines) : i % len(lines) + 5])} for i in range(120)]
    one = list(predict_records(recs, path, jobs=1, chunk_size=16))
    two = list(predict_records(recs, path, jobs=2, chunk_size=16))
    assert two == one
    assert all("topic" in r for r in one)


def test_input_columns_named_like_output_fields_are_kept_with_prefix():
    rec = {"id": "a", "text": "某县督导评估", "topic": "symposium", "region": "江苏省"}
    (out,) = predict_records([rec], predictor=FakeModel(), jobs=1)
    assert out["input_topic"] == "symposium" and out["input_region"] == "江苏省"
    assert out["topic"] in TOPICS


def test_non_string_text_is_an_error_record_not_a_crash():
    out = list(predict_records([{"id": 1, "text": None}, {"id": 2, "text": "好"}], predictor=FakeModel(), jobs=1))
    assert "text is NoneType" in out[0][ERROR_FIELD] and "topic" in out[1]


def test_explain_adds_the_model_explanation():
    (out,) = predict_records([{"id": "a", "text": "abc"}], predictor=FakeModel(), jobs=1, explain=True)
    assert out[cio.EXPLAIN_FIELD] == {"length": 3}


@pytest.mark.parametrize("kwargs", [{"jobs": 0}, {"chunk_size": 0}, {"jobs": "2"}])
def test_bad_parameters_are_refused_by_name(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        predict_records([], predictor=FakeModel(), **kwargs)


def test_missing_model_file_is_refused(tmp_path):
    from classifier.errors import ModelError

    with pytest.raises(ModelError, match="no such file"):
        predict_records([], tmp_path / "nope.joblib")


@pytest.mark.parametrize("jobs", [1, 2])
def test_unusable_model_file_stops_the_batch_with_a_model_error(tmp_path, jobs):
    from classifier.errors import ModelError

    bad = tmp_path / "bad.joblib"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelError, match="bad.joblib"):
        list(predict_records(records(10), bad, jobs=jobs, chunk_size=2))


def test_stream_is_consumed_lazily():
    seen = []

    def source():
        for rec in records(10_000):
            seen.append(rec["id"])
            yield rec

    it = predict_records(source(), predictor=FakeModel(), jobs=1, chunk_size=100)
    next(it)
    assert len(seen) <= 200  # the first chunks only, not the whole input


# ----------------------------------------------------------------------------- writers


def _sample_outputs():
    recs = records(30, fail_every=7, error_every=11)
    out = list(predict_records(recs, predictor=FakeModel(), jobs=1))
    out[4]["extra"] = "only here"  # a column that appears late
    return out


def _as_strings(rec):
    """What CSV/Parquet keep of a record: pass-through values as strings."""
    return {k: (v if k in ("topic_proba", "explain") or isinstance(v, str) else str(v)) for k, v in rec.items()}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_csv_and_parquet_writers_round_trip(tmp_path, fmt):
    out = _sample_outputs()
    columns, topics = _writers.output_columns(out)
    path = tmp_path / f"out.{fmt}"
    (cio.write_csv if fmt == "csv" else cio.write_parquet)(out, path, columns, topics)
    back = list(read_output(path))
    assert back == [_as_strings(r) for r in out]


def test_csv_flattens_topic_proba_to_proba_columns(tmp_path):
    out = _sample_outputs()
    path = tmp_path / "out.csv"
    cio.write_csv(out, path, *_writers.output_columns(out))
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert [h for h in header if h.startswith("proba_")] == [f"proba_{t}" for t in TOPICS]
    assert header[0] == "id" and header[-1] == ERROR_FIELD and "topic_proba" not in header


def test_format_is_inferred_from_the_suffix_or_refused():
    assert cio.infer_format("a/b.CSV") == "csv"
    assert cio.infer_format("x.parquet") == "parquet"
    assert cio.infer_format(None) == "jsonl"
    with pytest.raises(ValueError, match="x.txt"):
        cio.infer_format("x.txt")


# ----------------------------------------------------------------------------- run_batch


@pytest.fixture
def mixed_folder(tmp_path):
    """Good and bad files: seeds, empty, binary, GBK, a JSONL with invalid lines."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for seed in SEEDS[:2]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    gbk = "教育部督导组到江苏省丹阳市开展义务教育优质均衡发展督导评估。".encode("gbk")
    (folder / "sub" / "gbk.txt").write_bytes(gbk * 5)
    (folder / "sub" / "lines.jsonl").write_text(
        '{"id": "j1", "text": "湖南省双峰县召开教育工作座谈会。"}\n'
        "{not json\n"
        '{"id": "j3", "text": "教育部新闻发布会答记者问。"}\n',
        encoding="utf-8",
    )
    return folder


def _io_records(sources):
    from classifier.io import iter_records

    return list(iter_records(sources))


def test_mixed_folder_gives_one_record_per_input_in_input_order(mixed_folder, tmp_path):
    pytest.importorskip("classifier.io")
    expected = _io_records([mixed_folder])
    out = tmp_path / "out.jsonl"
    summary = run_batch([mixed_folder], out=out, predictor=FakeModel(), jobs=2, quiet=True, chunk_size=2)
    got = list(read_output(out))
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert summary.records == len(expected)
    errors = [r for r in got if ERROR_FIELD in r]
    assert summary.errors == len(errors) >= 3  # empty, binary, invalid JSON line
    for rec in got:
        assert ERROR_FIELD in rec or rec["topic"] in TOPICS
    gbk = [r for r in got if "gbk" in str(r["id"])]
    assert gbk and "topic" in gbk[0]


def test_run_batch_jobs_2_identical_to_jobs_1_on_files(mixed_folder, tmp_path):
    pytest.importorskip("classifier.io")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch([mixed_folder], out=a, predictor=FakeModel(), jobs=1, quiet=True, chunk_size=2)
    run_batch([mixed_folder], out=b, predictor=FakeModel(), jobs=2, quiet=True, chunk_size=2)
    assert a.read_bytes() == b.read_bytes()


def _crashing_iter_records(n_ok):
    from classifier import io as cio

    real = cio.iter_records

    def fake(sources, text_column="text", **options):
        for i, rec in enumerate(real(sources, text_column=text_column, **options)):
            if i == n_ok:
                raise KeyboardInterrupt
            yield rec

    return fake


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_interrupted_run_leaves_no_file_under_the_final_name(tmp_path, monkeypatch, fmt):
    cio = pytest.importorskip("classifier.io")
    src = write_jsonl(tmp_path / "in.jsonl", records(1000))
    out = tmp_path / f"out.{fmt}"
    monkeypatch.setattr(cio, "iter_records", _crashing_iter_records(600))
    with pytest.raises(KeyboardInterrupt):
        run_batch([src], out=out, predictor=FakeModel(), jobs=1, quiet=True, chunk_size=100)
    assert not out.exists()
    assert _run._partial_path(out).exists()  # the journal, for --resume


def test_crash_while_writing_the_final_file_leaves_nothing_under_the_final_name(tmp_path, monkeypatch):
    pytest.importorskip("classifier.io")
    src = write_jsonl(tmp_path / "in.jsonl", records(50))
    out = tmp_path / "out.parquet"

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setitem(_writers._WRITERS, "parquet", boom)
    with pytest.raises(OutputError, match="--resume"):
        run_batch([src], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.parquet.partial"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_resume_after_a_crash_skips_done_ids_and_yields_the_full_set(tmp_path, monkeypatch, fmt):
    cio = pytest.importorskip("classifier.io")
    recs = records(1000, fail_every=90, error_every=0)
    recs[500]["id"] = recs[499]["id"]  # a duplicate id: both copies must come out
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    full = tmp_path / f"full.{fmt}"
    run_batch([src], out=full, predictor=FakeModel(), jobs=1, quiet=True, chunk_size=100)

    out = tmp_path / f"out.{fmt}"
    real = cio.iter_records
    monkeypatch.setattr(cio, "iter_records", _crashing_iter_records(450))
    with pytest.raises(KeyboardInterrupt):
        run_batch([src], out=out, predictor=FakeModel(), jobs=1, quiet=True, chunk_size=100)
    # tear the journal's last line, as a crash in the middle of a write would
    journal = _run._partial_path(out)
    journal.write_bytes(journal.read_bytes()[:-7])
    monkeypatch.setattr(cio, "iter_records", real)
    summary = run_batch([src], out=out, predictor=FakeModel(), jobs=2, quiet=True, resume=True, chunk_size=100)
    assert summary.skipped >= 300 and summary.records == 1000 - summary.skipped
    assert list(read_output(out)) == list(read_output(full))
    assert not journal.exists()


def test_resume_of_a_complete_output_with_a_longer_input_adds_the_rest(tmp_path):
    pytest.importorskip("classifier.io")
    recs = records(300)
    out = tmp_path / "out.csv"
    run_batch([write_jsonl(tmp_path / "a.jsonl", recs[:120])], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    summary = run_batch(
        [write_jsonl(tmp_path / "b.jsonl", recs)], out=out, predictor=FakeModel(), jobs=1, quiet=True, resume=True
    )
    assert (summary.skipped, summary.records) == (120, 180)
    assert [r["id"] for r in read_output(out)] == [r["id"] for r in recs]


def test_without_resume_an_old_journal_is_discarded(tmp_path):
    pytest.importorskip("classifier.io")
    out = tmp_path / "out.jsonl"
    _run._partial_path(out).write_text('{"id": "stale"}\n', encoding="utf-8")
    run_batch([write_jsonl(tmp_path / "in.jsonl", records(5))], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    assert [r["id"] for r in read_output(out)] == [f"r{i}" for i in range(5)]


def test_resume_needs_an_output_file():
    with pytest.raises(ValueError, match="resume"):
        run_batch(["x.jsonl"], out=None, resume=True, predictor=FakeModel())


class _FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_quiet_when_stderr_is_not_a_terminal(tmp_path, monkeypatch):
    pytest.importorskip("classifier.io")
    src = write_jsonl(tmp_path / "in.jsonl", records(20))
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    run_batch([src], out=tmp_path / "a.jsonl", predictor=FakeModel(), jobs=1)
    assert piped.getvalue() == ""
    tty = _FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    run_batch([src], out=tmp_path / "b.jsonl", predictor=FakeModel(), jobs=1, quiet=True)
    assert tty.getvalue() == ""
    run_batch([src], out=tmp_path / "c.jsonl", predictor=FakeModel(), jobs=1)
    assert "20/20" in tty.getvalue() and "rec/s" in tty.getvalue()


def test_stdout_jsonl_and_csv(tmp_path, capsys):
    pytest.importorskip("classifier.io")
    src = write_jsonl(tmp_path / "in.jsonl", records(3))
    summary = run_batch([src], predictor=FakeModel(), jobs=1, quiet=True)
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["r0", "r1", "r2"] and summary.records == 3
    run_batch([src], fmt="csv", predictor=FakeModel(), jobs=1, quiet=True)
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("id,") and len(csv_lines) == 4


def test_summary_line_names_records_errors_and_seconds():
    text = str(batch.Summary(records=1200, errors=3, seconds=2.0))
    assert "1,200 records" in text and "3 errors" in text and "2.0 s" in text


# ----------------------------------------------------------------------------- property


_MODEL_CACHE = {}


def _property_model():
    if "m" not in _MODEL_CACHE:
        path = _real_model_path()
        if path is None:
            _MODEL_CACHE["m"] = FakeModel()
        else:
            from classifier.model import load

            _MODEL_CACHE["m"] = load(path)
    return _MODEL_CACHE["m"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# exclude_categories=() lets in lone surrogates and control characters too
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=()), max_size=200), min_size=1, max_size=5))
def test_arbitrary_unicode_never_raises_and_is_deterministic(texts):
    texts = [t.replace("BOOM", "") for t in texts]
    recs = [{"id": i, "text": t} for i, t in enumerate(texts)]
    model = _property_model()
    first = list(predict_records(recs, predictor=model, jobs=1, chunk_size=2))
    again = list(predict_records(list(reversed(recs)), predictor=model, jobs=1, chunk_size=3))
    assert [r.get(ERROR_FIELD) for r in first] == [None] * len(texts)
    assert first == list(reversed(again))
    for rec in first:
        assert rec["topic"] in TOPICS
        assert abs(sum(rec["topic_proba"].values()) - 1) < 1e-3
