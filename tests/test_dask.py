"""Dask: the same chunks on a LocalCluster give exactly the local output."""

from __future__ import annotations

import json

import pytest

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
dask_bag = pytest.importorskip("dask.bag", reason="dask[bag] is not installed")

from test_batch import FakeModel, records  # noqa: E402

from classifier import io as cio  # noqa: E402
from classifier.batch import _dask as batch_dask  # noqa: E402
from classifier.batch import predict_dask, predict_records, run_batch  # noqa: E402
from classifier.io import read_output  # noqa: E402
from classifier.labels import ERROR_FIELD, REGION_FIELDS, TOPICS  # noqa: E402


def _model() -> dict:
    """The shipped model when it exists (the real thing), else the picklable fake, as keyword arguments."""
    from test_batch import _real_model_path

    path = _real_model_path()
    return {"model_path": path} if path is not None else {"predictor": FakeModel()}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_run_batch_on_a_cluster_is_identical_to_the_local_run(client, tmp_path):
    pytest.importorskip("classifier.io")
    src = tmp_path / "in.jsonl"
    recs = records(120, fail_every=37, error_every=0)
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs) + "{broken\n", encoding="utf-8")
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    model = _model()
    run_batch([src], out=local, **model, jobs=1, quiet=True, chunk_size=16)
    summary = run_batch([src], out=remote, **model, quiet=True, chunk_size=16, dask=client.scheduler.address)
    assert remote.read_bytes() == local.read_bytes()
    assert summary.records == 121 and summary.errors >= 1
    # both workers took part (each warmed up the model it was sent)
    warmed = client.run(lambda: len(batch_dask._WARMED))
    assert len(warmed) == 2 and min(warmed.values()) >= 1


def test_predict_dask_bag_of_records_and_of_texts(client):
    recs = records(60, fail_every=13)
    model = _model()
    local = list(predict_records(recs, **model, jobs=1))
    bag = dask_bag.from_sequence(recs, npartitions=4)
    assert predict_dask(bag, **model).compute() == local
    texts = [r["text"] for r in recs]
    got = predict_dask(dask_bag.from_sequence(texts, npartitions=3), **model).compute()
    assert len(got) == len(texts)
    assert [g.get("topic") for g in got] == [r.get("topic") for r in local]


def test_predict_dask_dataframe_adds_prediction_columns(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    recs = records(40, fail_every=11)
    frame = pd.DataFrame(
        {"id": [r["id"] for r in recs], "text": [r["text"] for r in recs], "topic": ["gold"] * len(recs)}
    )
    model = _model()
    got = predict_dask(dd.from_pandas(frame, npartitions=3), **model).compute()
    local = list(predict_records([{"text": t} for t in frame["text"]], **model, jobs=1))
    assert list(got["id"]) == list(frame["id"]) and list(got["input_topic"]) == ["gold"] * 40
    assert list(got.columns[-len(REGION_FIELDS) - 1 : -1]) == list(REGION_FIELDS)
    for (_, row), want in zip(got.iterrows(), local):
        if ERROR_FIELD in want:
            assert row[ERROR_FIELD] == want[ERROR_FIELD]
        else:
            assert row["topic"] == want["topic"] in TOPICS
            assert [row[f"{cio.PROBA_PREFIX}{t}"] for t in TOPICS] == [want["topic_proba"][t] for t in TOPICS]


def test_predict_dask_refuses_a_dataframe_without_the_text_column(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(pd.DataFrame({"body": ["x"]}), npartitions=1)
    with pytest.raises(ValueError, match="no column 'text'"):
        predict_dask(frame, predictor=FakeModel())


def test_read_output_of_the_cluster_run_has_every_record(client, tmp_path):
    pytest.importorskip("classifier.io")
    src = tmp_path / "in.jsonl"
    recs = records(30)
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    out = tmp_path / "out.parquet"
    run_batch([src], out=out, predictor=FakeModel(), quiet=True, dask=client)
    assert [r["id"] for r in read_output(out)] == [r["id"] for r in recs]


def test_duplicate_of_on_a_cluster_is_identical_to_the_local_run(client, tmp_path):
    from test_batch import write_jsonl
    from test_batch_mirrors import stream

    from classifier.events import MirrorDetector
    from classifier.labels import DUPLICATE_FIELD

    recs, expected = stream(20)
    src = write_jsonl(tmp_path / "in.jsonl", recs)
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    model = _model()
    given = {**model, "quiet": True, "chunk_size": 4, "mirrors": MirrorDetector()}
    run_batch([src], out=local, jobs=1, **given)
    run_batch([src], out=remote, dask=client.scheduler.address, **given)
    assert remote.read_bytes() == local.read_bytes()
    assert [r.get(DUPLICATE_FIELD) for r in read_output(local)] == expected
