"""The review app's core: the labels file, the teach/audit/disagreement queues, `classifier suggest`."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

import classifier
from classifier.cli import main
from classifier.review import (
    LabelStore,
    NearDuplicates,
    audit_order,
    disagreement_order,
    fingerprint,
    score_texts,
    teach_order,
)
from classifier.review._queue import Scored, teach_uncertainty

ARTICLE = "省督导组对丹阳市义务教育优质均衡发展进行实地督导评估，召开反馈会，督导组反馈了评估认定意见。"


def _decision(i: int, topic: str = "symposium", text: str | None = None) -> dict:
    return {
        "id": f"a{i}",
        "text": text or f"第{i}篇：{ARTICLE}",
        "topic": topic,
        "region": "江苏省",
        "city": "镇江市",
        "county": "丹阳市",
        "model_version": "abc",
        "mode": "teach",
    }


# ---------------------------------------------------------------- labels file


def test_decisions_are_appended_one_line_each_and_read_back_on_restart(tmp_path):
    path = tmp_path / "labels.jsonl"
    store = LabelStore(path)
    for i in range(3):
        store.append(_decision(i))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first["fingerprint"] == fingerprint(first["text"]) and first["when"] and first["mode"] == "teach"
    resumed = LabelStore(path)
    assert [r["id"] for r in resumed] == ["a0", "a1", "a2"]


def test_a_later_decision_for_the_same_article_supersedes_the_earlier(tmp_path):
    store = LabelStore(tmp_path / "labels.jsonl")
    store.append(_decision(0, "symposium"))
    store.append(_decision(1))
    store.append(_decision(0, "other"))
    assert len(store) == 2
    assert LabelStore(tmp_path / "labels.jsonl").latest()["a0"]["topic"] == "other"


def test_the_labels_file_is_training_data_as_it_is(tmp_path):
    path = tmp_path / "labels.jsonl"
    store = LabelStore(path)
    store.append(_decision(0))
    store.append({**_decision(1, "progress_qa"), "region": "全国", "city": "", "county": ""})
    records = classifier.read_labeled(path)
    assert [(r["topic"], r["region"]) for r in records] == [("symposium", "江苏省"), ("progress_qa", "全国")]


def test_a_torn_last_line_is_ignored_with_a_warning_and_never_rewritten(tmp_path):
    path = tmp_path / "labels.jsonl"
    store = LabelStore(path)
    store.append(_decision(0))
    store.append(_decision(1))
    whole = path.read_bytes()
    torn = whole + json.dumps(_decision(2), ensure_ascii=False).encode()[:40]  # cut mid-write
    path.write_bytes(torn)
    with pytest.warns(RuntimeWarning, match="incomplete line"):
        resumed = LabelStore(path)
    assert [r["id"] for r in resumed] == ["a0", "a1"]
    assert path.read_bytes() == torn  # reading does not repair it
    resumed.append(_decision(3))
    assert path.read_bytes().startswith(torn)  # appending does not touch it either
    with pytest.warns(RuntimeWarning):
        again = LabelStore(path)
    assert [r["id"] for r in again] == ["a0", "a1", "a3"]


def test_a_decision_with_an_unknown_label_is_refused_and_not_written(tmp_path):
    path = tmp_path / "labels.jsonl"
    store = LabelStore(path, topics=classifier.TOPICS)  # the model's topics
    with pytest.raises(Exception, match="topic"):
        store.append(_decision(0, "meeting"))
    with pytest.raises(Exception, match="region"):
        store.append({**_decision(0), "region": "江苏"})
    assert not path.exists() or path.read_bytes() == b""


# ---------------------------------------------------------------- queues


def _scored(p_best: float, p_second: float, region_conf: float = 1.0) -> Scored:
    proba = {
        "supervision_visit": p_best,
        "symposium": p_second,
        "progress_qa": 0.0,
        "other": max(0.0, 1 - p_best - p_second),
    }
    margin = p_best - p_second
    return Scored(
        {"topic": "supervision_visit", "topic_proba": proba, "region": "江苏省"},
        margin,
        region_conf,
        teach_uncertainty(margin, region_conf),
    )


DISTINCT = [
    "教育部召开全国义务教育均衡发展推进会，部署下一阶段工作任务和重点举措。",
    "浙江省督导组来到杭州市西湖区，实地检查学校办学条件并召开反馈会议。",
    "云南省教育厅负责人回答记者提问，介绍全省学前教育普及普惠的最新进展情况。",
    "本文基于面板数据研究城乡教育资源配置差异，并提出若干政策建议供参考。",
]


def test_teach_puts_the_smallest_topic_margin_first():
    scored = [_scored(0.9, 0.05), _scored(0.5, 0.45), _scored(0.7, 0.2), _scored(0.4, 0.39)]
    assert teach_order(scored, DISTINCT) == [3, 1, 2, 0]


def test_teach_puts_an_unsure_region_before_a_sure_one_at_equal_margin():
    scored = [_scored(0.6, 0.3, 1.0), _scored(0.6, 0.3, 0.4)]
    assert teach_order(scored, DISTINCT[:2]) == [1, 0]


def test_teach_skips_near_duplicates_of_queued_and_of_labeled_articles():
    mirror = DISTINCT[1].replace("。", "！")  # a mirror copy with changed punctuation
    texts = [DISTINCT[0], DISTINCT[1], mirror, DISTINCT[2]]
    scored = [_scored(0.9, 0.05), _scored(0.5, 0.45), _scored(0.5, 0.46), _scored(0.6, 0.3)]
    assert teach_order(scored, texts) == [2, 3, 0]  # the mirror is queued, its original is not
    assert teach_order(scored, texts, labeled_texts=[DISTINCT[2] + "（来源：某网）"]) == [2, 0]


def test_near_duplicate_check_tells_a_mirror_from_a_different_article():
    dups = NearDuplicates()
    dups.add(DISTINCT[0])
    assert dups.find("【转载】" + DISTINCT[0]) == 0
    assert dups.find(DISTINCT[3]) is None


def test_audit_order_is_a_uniform_random_permutation_without_the_excluded():
    n, runs = 5, 4000
    counts = Counter((item, pos) for s in range(runs) for pos, item in enumerate(audit_order(n, seed=s)))
    expected = runs / n  # every article equally likely at every position
    chi2 = sum((counts[i, p] - expected) ** 2 / expected for i in range(n) for p in range(n))
    assert chi2 < 39.25  # chi-square, (n-1)^2 = 16 degrees of freedom, p = 0.001
    order = audit_order(10, seed=1, exclude=[2, 5])
    assert sorted(order) == [0, 1, 3, 4, 6, 7, 8, 9]
    assert audit_order(10, seed=1) == audit_order(10, seed=1)


def test_disagreements_are_the_labeled_articles_the_model_gets_wrong():
    scored = [_scored(0.9, 0.05), _scored(0.6, 0.3), _scored(0.8, 0.1)]
    labels = [
        {"topic": "symposium", "region": "江苏省"},
        {"topic": "supervision_visit", "region": "江苏省"},
        {"topic": "supervision_visit", "region": "全国"},
    ]
    assert disagreement_order(labels, scored) == [0, 2]
    assert disagreement_order([None, None, None], scored) == []


# ---------------------------------------------------------------- with a real model


@pytest.fixture(scope="module")
def model():
    import classifier

    return classifier.load()


def test_score_texts_gives_margins_and_region_confidence_in_range(model, tiny_records):
    scored = score_texts(model, [r["text"] for r in tiny_records[:4]])
    for s in scored:
        p = sorted(s.prediction["topic_proba"].values(), reverse=True)
        assert s.margin == pytest.approx(p[0] - p[1], abs=1e-3)
        assert 0 < s.region_confidence <= 1


def test_suggest_writes_a_ranked_queue_without_labeled_articles(tmp_path, tiny_jsonl, tiny_records):
    labels = tmp_path / "labels.jsonl"
    LabelStore(labels).append({**tiny_records[0], "model_version": "x", "mode": "audit"})
    out = tmp_path / "queue.jsonl"
    result = CliRunner().invoke(
        main, ["suggest", str(tiny_jsonl), "-n", "5", "--out", str(out), "--labels", str(labels)]
    )
    assert result.exit_code == 0, result.output
    queue = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [q["rank"] for q in queue] == [1, 2, 3, 4, 5]
    assert tiny_records[0]["id"] not in {q["id"] for q in queue}
    u = [q["uncertainty"] for q in queue]
    assert u == sorted(u, reverse=True)


# ---------------------------------------------------------------- session, audit figures, retraining


def test_audit_figures_compare_audit_labels_with_the_predictions_made_then(model, tiny_records, tmp_path):
    from classifier.review._session import Session

    session = Session(tiny_records, model, LabelStore(tmp_path / "labels.jsonl"))
    session.set_mode("audit")
    truth = []
    for k in range(4):
        i = session.next_index()
        pred = session.scored[i].prediction
        topic = pred["topic"] if k % 2 == 0 else next(t for t in ("other", "symposium") if t != pred["topic"])
        session.decide(i, {"topic": topic, "region": pred["region"], "city": "", "county": ""})
        truth.append(topic == pred["topic"])
    session.set_mode("teach")
    session.decide(session.next_index(), {"topic": "other", "region": "全国"})  # not an audit label
    (fig,) = session.stats()["audit"]
    assert fig["n"] == 4 and fig["current"]
    assert fig["topic_accuracy"] == sum(truth) / 4 and fig["region_accuracy"] == 1.0
    lo, hi = fig["topic_accuracy_ci"]
    assert lo <= fig["topic_accuracy"] <= hi
    assert sum(map(sum, fig["confusion"]["matrix"])) == 4


def test_a_restarted_session_offers_the_same_queue_without_the_decided(model, tiny_records, tmp_path):
    from classifier.review._session import Session

    path = tmp_path / "labels.jsonl"
    first = Session(tiny_records, model, LabelStore(path))
    order = list(first.queues["teach"])
    for _ in range(3):
        i = first.next_index()
        first.decide(i, {"topic": "other", "region": "全国"})
    again = Session(tiny_records, model, LabelStore(path))
    assert again.next_index() == order[3]


def test_labels_replace_the_base_record_of_the_same_article(tiny_jsonl, tiny_records, tmp_path):
    from classifier.review._retrain import training_records

    labels = tmp_path / "labels.jsonl"
    LabelStore(labels).append(
        {**tiny_records[0], "id": "renamed", "topic": "other", "model_version": "x", "mode": "teach"}
    )
    records, n_base, n_labels = training_records([tiny_jsonl], labels)
    assert (n_base, n_labels) == (len(tiny_records) - 1, 1)
    same = [r for r in records if r["text"] == tiny_records[0]["text"]]
    assert [r["topic"] for r in same] == ["other"]


def test_retraining_never_writes_over_the_shipped_model(tiny_jsonl, tmp_path):
    from classifier.errors import InputError
    from classifier.model import default_model_path
    from classifier.review._retrain import retrain

    shipped = default_model_path()
    with pytest.raises(InputError, match="shipped model"):
        retrain([tiny_jsonl], tmp_path / "labels.jsonl", shipped)


# ---------------------------------------------------------------- the web app's guard (plain ASGI calls)


def _call(app, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, dict[str, str]]:
    import asyncio

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8765),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
    }
    sent: list[dict] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start.get("headers", [])}


@pytest.fixture(scope="module")
def guarded(model, tiny_records, tmp_path_factory):
    from classifier.review._app import create_app
    from classifier.review._session import Session

    store = LabelStore(tmp_path_factory.mktemp("app") / "labels.jsonl")
    app, token = create_app(Session(tiny_records, model, store), token="t0ken", port=8765)
    return app, token


def test_every_request_needs_the_token(guarded):
    app, token = guarded
    host = {"host": "127.0.0.1:8765"}
    assert _call(app, "GET", "/api/next", host)[0] == 403
    assert _call(app, "GET", "/api/next?token=wrong", host)[0] == 403
    assert _call(app, "GET", "/static/app.js", host)[0] == 403
    status, headers = _call(app, "GET", f"/?token={token}", host)
    assert status == 303 and "HttpOnly" in headers["set-cookie"] and "SameSite=strict" in headers["set-cookie"]
    cookie = headers["set-cookie"].split(";")[0]
    status, headers = _call(app, "GET", "/api/next", {**host, "cookie": cookie})
    assert status == 200 and "script-src 'self'" in headers["content-security-policy"]


def test_a_foreign_host_name_is_refused_even_with_the_token(guarded):
    app, token = guarded
    assert _call(app, "GET", f"/api/next?token={token}", {"host": "evil.example:8765"})[0] == 403


def test_posts_need_the_token_header_and_the_same_origin(guarded):
    app, token = guarded
    base = {"host": "127.0.0.1:8765", "cookie": f"classifier_review_8765={token}", "content-type": "application/json"}
    body = json.dumps({"mode": "audit"}).encode()
    assert _call(app, "POST", "/api/mode", base, body)[0] == 403  # a cross-site form sends the cookie only
    with_header = {**base, "x-review-token": token}
    assert _call(app, "POST", "/api/mode", {**with_header, "origin": "http://evil.example"}, body)[0] == 403
    assert _call(app, "POST", "/api/mode", {**with_header, "sec-fetch-site": "cross-site"}, body)[0] == 403
    assert _call(app, "POST", "/api/mode", {**with_header, "origin": "http://127.0.0.1:8765"}, body)[0] == 200


def test_a_model_with_its_own_topics_is_reviewed_with_those_topics(tiny_records, tmp_path):
    from classifier.review._session import Session, valid_labels

    own = [{**r, "topic": "meeting" if r["topic"] == "symposium" else "notice"} for r in tiny_records]
    model = classifier.ArticleClassifier().fit([r["text"] for r in own], own).predictor_
    session = Session(tiny_records, model, LabelStore(tmp_path / "labels.jsonl"))
    assert sorted(session.stats()["topics"]) == ["meeting", "notice"]
    assert valid_labels({"topic": "symposium", "region": "全国"}, session.topics) is not None
    session.decide(session.next_index(), {"topic": "meeting", "region": "全国"})
    assert session.stats()["per_topic"]["meeting"] == 1
    with pytest.raises(Exception, match="topic"):
        session.decide(session.next_index(), {"topic": "symposium", "region": "全国"})


def test_review_without_the_web_stack_says_which_extra_to_install(monkeypatch, tmp_path):
    import sys

    from click.testing import CliRunner

    import classifier.review as review
    from classifier.cli import main

    monkeypatch.delitem(review.__dict__, "run_review", raising=False)
    monkeypatch.delitem(sys.modules, "classifier.review._app", raising=False)
    for name in [m for m in sys.modules if m.split(".")[0] in ("starlette", "uvicorn")] + ["starlette", "uvicorn"]:
        monkeypatch.setitem(sys.modules, name, None)  # "not installed"
    (tmp_path / "a.txt").write_text("省督导组对丹阳市开展督导评估。", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", str(tmp_path), "--no-browser"])
    assert result.exit_code == 1
    assert "pip install 'classifier[review]'" in result.output
    assert "Traceback" not in result.output
