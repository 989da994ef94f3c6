"""duplicate_of in batch runs: the same with any --jobs, kept across --resume, off with --no-dedup."""

from __future__ import annotations

import json

import pytest
from test_batch import FakeModel, _crashing_iter_records, _real_model_path, write_jsonl
from test_mirrors import TEMPLATE, _mirror

from classifier.batch import _run, predict_records, run_batch
from classifier.events import MirrorDetector
from classifier.io import read_output
from classifier.labels import DUPLICATE_FIELD, ERROR_FIELD, OUTPUT_FIELDS

PLACES = [("浙江省", "杭州市"), ("安徽省", "合肥市"), ("江苏省", "南京市"), ("四川省", "成都市"), ("河南省", "郑州市")]


def stream(n_articles: int = 20) -> tuple[list[dict], list[str]]:
    """Invented articles (templated reports of different provinces and figures), each followed
    later by a mirror copy or a copy cut to 60 %; and the expected duplicate_of values."""
    articles = [
        TEMPLATE.format(p=p, c=c, n=30 + i, d=1 + i % 28) for i, (p, c) in enumerate(PLACES * (n_articles // 5))
    ]
    recs: list[dict] = []
    expected: list[str] = []
    for i, text in enumerate(articles):
        recs.append({"id": f"a{i}", "text": text})
        expected.append("")
        if i >= 3:  # a copy of an article three back, in turn a mirror page or a truncated one
            j = i - 3
            copy = _mirror(articles[j]) if i % 2 else articles[j][: int(len(articles[j]) * 0.6)]
            recs.append({"id": f"a{j}-copy", "text": copy})
            expected.append(f"a{j}")
    recs.insert(5, {"id": "bad", "error": "bad: cannot read"})
    expected.insert(5, None)
    return recs, expected


def _model():
    path = _real_model_path()
    return {"model_path": path} if path is not None else {"predictor": FakeModel()}


def _dups(records: list[dict]) -> list[str | None]:
    return [r.get(DUPLICATE_FIELD) for r in records]


def test_jobs_1_and_jobs_2_give_the_expected_duplicate_of(tmp_path):
    recs, expected = stream()
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch([src], out=one, jobs=1, quiet=True, chunk_size=4, mirrors=MirrorDetector(), **_model())
    run_batch([src], out=two, jobs=2, quiet=True, chunk_size=4, mirrors=MirrorDetector(), **_model())
    got = list(read_output(one))
    assert _dups(got) == expected
    assert two.read_bytes() == one.read_bytes()
    assert ERROR_FIELD in got[5] and DUPLICATE_FIELD not in got[5]
    # the field comes right after the prediction fields
    keys = [k for k in got[0] if k in OUTPUT_FIELDS]
    assert keys == list(OUTPUT_FIELDS)


def test_the_generic_model_path_gives_the_same_duplicate_of():
    # a model without predict_clean() gets the raw texts; the mirror signatures are the same
    recs, expected = stream(10)
    got = list(predict_records(recs, predictor=FakeModel(), jobs=1, chunk_size=3, mirrors=MirrorDetector()))
    assert _dups(got) == expected


def test_without_a_detector_the_field_is_left_out(tmp_path):
    recs, _ = stream(5)
    out = tmp_path / "out.jsonl"
    run_batch([write_jsonl(tmp_path / "in.jsonl", recs)], out=out, predictor=FakeModel(), jobs=1, quiet=True)
    assert all(DUPLICATE_FIELD not in r for r in read_output(out))
    assert all(DUPLICATE_FIELD not in r for r in predict_records(recs, predictor=FakeModel(), jobs=1))


@pytest.mark.parametrize("keep_text", [False, True])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_reads_the_written_records_texts_again_so_copies_still_point_back(tmp_path, monkeypatch, fmt, keep_text):
    import classifier.io as cio

    recs, expected = stream(20)
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    full, out = tmp_path / f"full.{fmt}", tmp_path / f"out.{fmt}"
    given = {
        "predictor": FakeModel(),
        "quiet": True,
        "chunk_size": 4,
        "mirrors": MirrorDetector(),
        "keep_text": keep_text,
    }
    run_batch([src], out=full, jobs=1, **given)
    real = cio.iter_records
    monkeypatch.setattr(cio, "iter_records", _crashing_iter_records(17))
    with pytest.raises(KeyboardInterrupt):
        run_batch([src], out=out, jobs=1, **given)
    monkeypatch.setattr(cio, "iter_records", real)
    summary = run_batch([src], out=out, jobs=2, resume=True, **given)
    assert summary.skipped >= 8 and summary.records == len(recs) - summary.skipped
    assert list(read_output(out)) == list(read_output(full))
    # after the crash point some copies point at articles written by the first run
    resumed_links = [d for d in expected[summary.skipped :] if d]
    assert resumed_links and not _run._partial_path(out).exists()


def test_cli_predict_no_dedup(tmp_path):
    from click.testing import CliRunner

    from classifier.cli import main

    recs, expected = stream(5)
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    for flag, want in (([], expected), (["--no-dedup"], [None] * len(expected))):
        out = tmp_path / f"out{len(flag)}.jsonl"
        result = CliRunner().invoke(main, ["predict", str(src), "--out", str(out), "-j", "1", "-q", *flag])
        assert result.exit_code in (0, 1), result.output  # 1: the input's error record
        assert [json.loads(line).get(DUPLICATE_FIELD) for line in out.read_text("utf-8").splitlines()] == want
