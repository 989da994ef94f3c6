"""Never lose a user's work: clobbering, resume, pass-through, compressed input, exit codes, messages."""

from __future__ import annotations

import bz2
import codecs
import gzip
import json
import lzma
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_batch import FakeModel, records, write_jsonl

from classifier.batch import _run, predict_records, run_batch
from classifier.cli import main
from classifier.cli._common import _Terminated
from classifier.errors import UsageError
from classifier.io import iter_records, read_output

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "省督导组对丹阳市义务教育优质均衡发展进行实地督导评估，召开反馈会。"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _run_fake(src, out, **kwargs):
    return run_batch(src, out=out, predictor=FakeModel(), jobs=1, quiet=True, **kwargs)


# ----------------------------------------------------------------------------- 1, 2: clobbering


def test_a_missing_input_is_a_usage_error_and_the_output_is_untouched(tmp_path):
    out = tmp_path / "labels.jsonl"
    out.write_text('{"id": "kept"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "typo.jsonl"), "--out", str(out), "-q"])
    assert result.exit_code == 2, result.output
    assert "typo.jsonl" in result.output
    assert out.read_text(encoding="utf-8") == '{"id": "kept"}\n'
    with pytest.raises(UsageError, match="no such file"):
        _run_fake([tmp_path / "typo.jsonl"], out)
    assert out.read_text(encoding="utf-8") == '{"id": "kept"}\n'


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_run_that_read_no_records_never_replaces_an_existing_output(tmp_path, fmt):
    out = tmp_path / f"labels.{fmt}"
    _run_fake([write_jsonl(tmp_path / "in.jsonl", records(5))], out)
    before = out.read_bytes()
    (tmp_path / "empty").mkdir()
    summary = _run_fake([tmp_path / "empty"], out)
    assert summary.records == 0
    assert out.read_bytes() == before
    assert not _run._partial_path(out).exists()


def test_an_empty_folder_exits_non_zero_and_says_nothing_was_found(tmp_path):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "labels.jsonl"
    out.write_text('{"id": "kept"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "empty"), "--out", str(out)])
    assert result.exit_code == 1
    assert "no records found" in result.output
    assert out.read_text(encoding="utf-8") == '{"id": "kept"}\n'


def test_an_output_inside_an_input_folder_is_not_read_as_input_nor_are_its_journal_and_lock(tmp_path):
    for i in range(3):
        (tmp_path / f"article{i}.txt").write_text(
            "省督导组对丹阳市义务教育优质均衡发展进行实地督导评估。", encoding="utf-8"
        )
    out = tmp_path / "labels.jsonl"
    _run_fake([tmp_path], out)
    _run_fake([tmp_path], out)  # a second run over the same folder finds its first output there
    assert sorted(r["id"] for r in read_output(out)) == [str(tmp_path / f"article{i}.txt") for i in range(3)]


def test_out_equal_to_an_input_is_refused_and_the_input_kept(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", records(5))
    before = src.read_bytes()
    with pytest.raises(UsageError, match="one of the inputs"):
        _run_fake([src], src)
    result = CliRunner().invoke(main, ["predict", str(src), "--out", str(src)])
    assert result.exit_code == 2
    assert src.read_bytes() == before


# ----------------------------------------------------------------------------- 5: resume = the same job


def test_resume_normalises_ids_made_of_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    noid = [{"text": f"第{i}篇 督导评估"} for i in range(30)]
    write_jsonl(tmp_path / "noid.jsonl", noid)
    out = tmp_path / "out.jsonl"
    _run_fake(["noid.jsonl"], out)
    summary = _run_fake([str(tmp_path / "noid.jsonl")], out, resume=True)
    assert (summary.records, summary.skipped) == (0, 30)
    assert len(_lines(out)) == 30


def test_resume_refuses_a_journal_with_ids_not_in_the_input_unless_told_to_drop_them(tmp_path):
    out = tmp_path / "out.jsonl"
    _run_fake([write_jsonl(tmp_path / "a.jsonl", records(10))], out)
    other = [{**r, "id": "b" + r["id"]} for r in records(4)]
    b = write_jsonl(tmp_path / "b.jsonl", other)
    with pytest.raises(UsageError, match="not in this input.*--drop-foreign"):
        _run_fake([b], out, resume=True)
    assert len(_lines(out)) == 10  # the output is kept as it was
    _run_fake([b], out, resume=True, drop_foreign=True)
    assert sorted(r["id"] for r in _lines(out)) == sorted(r["id"] for r in other)
    result = CliRunner().invoke(main, ["predict", str(tmp_path / "a.jsonl"), "--out", str(out), "--resume"])
    assert result.exit_code == 2 and "--drop-foreign" in result.output


# ----------------------------------------------------------------------------- 6, 7


def test_an_input_column_named_error_passes_through_as_input_error(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": ARTICLE, "error": "none"}])
    (rec,) = iter_records([src])
    assert rec == {"id": "a", "text": ARTICLE, "input_error": "none"}
    (out,) = predict_records([rec], predictor=FakeModel(), jobs=1)
    assert "error" not in out and out["input_error"] == "none" and out["topic"]
    assert "text" not in out


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_temp_file_left_by_a_kill_inside_the_final_write_is_cleaned_up(tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    stale = tmp_path / f".out.{fmt}.k3j_x9q2.tmp"
    stale.write_bytes(b"half a file")
    unrelated = tmp_path / ".notes.tmp"
    unrelated.write_bytes(b"mine")
    _run_fake([write_jsonl(tmp_path / "in.jsonl", records(3))], out)
    assert not stale.exists() and unrelated.exists()


# ----------------------------------------------------------------------------- 13: compressed input, BOM


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open], ids=["gzip", "bzip2", "xz"])
@pytest.mark.parametrize("name", ["dump.jsonl", "dump.jsonl.gz", "dump.csv.xz", "article.txt"])
def test_compressed_input_is_read_by_content(tmp_path, opener, name):
    recs = [{"id": f"r{i}", "text": f"{ARTICLE}{i}"} for i in range(200)]
    if ".csv" in name:
        body = "id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in recs)
    elif ".jsonl" in name:
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    else:
        body, recs = ARTICLE, [{"id": str(tmp_path / name), "text": ARTICLE}]
    with opener(tmp_path / name, "wb") as f:
        f.write(body.encode("utf-8"))
    assert list(iter_records([tmp_path / name])) == recs


def test_a_utf8_bom_at_the_start_of_a_later_jsonl_line_is_ignored(tmp_path):
    a = codecs.BOM_UTF8 + json.dumps({"id": "a", "text": ARTICLE}, ensure_ascii=False).encode() + b"\n"
    b = codecs.BOM_UTF8 + json.dumps({"id": "b", "text": ARTICLE}, ensure_ascii=False).encode() + b"\n"
    (tmp_path / "cat.jsonl").write_bytes(a + b)
    assert [r.get("error") for r in iter_records([tmp_path / "cat.jsonl"])] == [None, None]


# ----------------------------------------------------------------------------- 15, 16: exit codes, one-line errors


@pytest.mark.parametrize(("raised", "code"), [(KeyboardInterrupt, 130), (_Terminated, 143)])
def test_interrupted_and_terminated_runs_have_their_own_exit_codes(tmp_path, monkeypatch, raised, code):
    def stop(*args, **kwargs):
        raise raised

    monkeypatch.setattr(_run, "run_batch", stop)
    monkeypatch.setattr("classifier.batch.run_batch", stop)
    src = write_jsonl(tmp_path / "in.jsonl", records(2))
    result = CliRunner().invoke(main, ["predict", str(src), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == code
    assert "--resume" in result.output


def test_exit_codes_tell_all_labelled_from_some_errors(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [{"id": "a", "text": ARTICLE}])
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": "a", "text": ARTICLE}, {"id": "b", "text": ""}])
    run = CliRunner().invoke
    assert run(main, ["predict", str(good), "-q", "-j", "1", "--out", str(tmp_path / "1.jsonl")]).exit_code == 0
    assert run(main, ["predict", str(bad), "-q", "-j", "1", "--out", str(tmp_path / "2.jsonl")]).exit_code == 1
    assert "130" in run(main, ["predict", "--help"]).output


def test_a_full_disk_is_one_line_naming_the_path_and_saying_resume_continues(tmp_path, monkeypatch):
    real_open = open

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

    def fake_open(file, *args, **kwargs):
        f = real_open(file, *args, **kwargs)
        return Full(f) if str(file).endswith(".partial") else f

    monkeypatch.setattr(_run, "open", fake_open, raising=False)
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": ARTICLE}])
    result = CliRunner().invoke(main, ["predict", str(src), "-q", "-j", "1", "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "o.jsonl" in lines[0] and "No space left on device" in lines[0] and "--resume" in lines[0]


# ----------------------------------------------------------------------------- 17: on a terminal


def _on_terminal(args: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run ``python -m classifier ARGS`` with stdin, stdout and stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "classifier", *args], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env
    )
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            pytest.fail(f"classifier {' '.join(args)} still running after {timeout} s on a terminal")
    finally:
        os.close(master)
    return proc.wait(timeout=10), b"".join(chunks).decode("utf-8", "replace")


def test_predict_with_no_arguments_on_a_terminal_shows_the_usage():
    code, output = _on_terminal(["predict"], timeout=30)
    assert code == 2
    assert "Usage:" in output


def test_table_mode_on_a_terminal_shows_the_summary_line(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    code, output = _on_terminal(["predict", str(tmp_path / "a.txt"), "-j", "1"])
    assert code == 0, output
    assert "江苏省" in output
    assert "1 records, 0 errors" in output


# ----------------------------------------------------------------------------- 8-12: poison records


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_file_name_with_invalid_utf8_bytes_is_written_out(tmp_path, fmt):
    folder = tmp_path / "in"
    folder.mkdir()
    fd = os.open(os.fsencode(folder) + b"/bad\xff\xfe.txt", os.O_WRONLY | os.O_CREAT)
    os.write(fd, ARTICLE.encode("utf-8"))
    os.close(fd)
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    summary = _run_fake([folder], out)
    assert (summary.records, summary.errors) == (2, 0)
    ids = [r["id"] for r in read_output(out)]
    assert ids[0].endswith("bad\\xff\\xfe.txt") and ids[1].endswith("good.txt")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_lone_surrogates_in_keys_and_nested_values_are_written_out(tmp_path, fmt):
    meta = '{"k\\ud800": ["x\\udc00", {"\\udfff": "v"}]}'
    line = '{"id": "a", "text": "' + ARTICLE + '", "meta": ' + meta + "}\n"
    src = tmp_path / "in.jsonl"
    src.write_text(line, encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    summary = _run_fake([src], out)
    assert (summary.records, summary.errors) == (1, 0)
    (rec,) = read_output(out)
    assert "\ufffd" in json.dumps(rec["meta"], ensure_ascii=False)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_field_nested_too_deep_is_an_error_record_with_any_number_of_jobs(tmp_path, jobs):
    deep = "[" * 600 + "]" * 600
    lines = [json.dumps({"id": f"r{i}", "text": f"{ARTICLE}{i}"}, ensure_ascii=False) for i in range(40)]
    lines[5] = '{"id": "deep", "text": "' + ARTICLE + '", "deep": ' + deep + "}"
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = run_batch([src], out=out, predictor=FakeModel(), jobs=jobs, chunk_size=8, quiet=True)
    assert (summary.records, summary.errors) == (40, 1)
    bad = [r for r in _lines(out) if "error" in r]
    assert bad[0]["id"] == "deep" and "nested deeper" in bad[0]["error"]


def test_a_fifo_in_an_input_folder_is_skipped_with_an_error_record(tmp_path):
    import threading

    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "a_pipe.txt")
    (folder / "b.txt").write_text(ARTICLE, encoding="utf-8")
    result: list = []
    reader = threading.Thread(target=lambda: result.extend(iter_records([folder])), daemon=True)
    reader.start()
    reader.join(timeout=15)
    if reader.is_alive():  # unblock the stuck open() before failing
        with open(folder / "a_pipe.txt", "wb"):
            pass
        pytest.fail("reading a folder with a FIFO hangs")
    assert "not a regular file" in result[0]["error"] and "named pipe" in result[0]["error"]
    assert result[1]["text"] == ARTICLE


def test_a_huge_csv_field_is_streamed_against_the_line_limit(tmp_path, monkeypatch):
    import tracemalloc

    from classifier.io import _tabular

    monkeypatch.setattr(_tabular, "MAX_LINE_BYTES", 1 << 20)
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8") as f:
        f.write("id,text\n")
        f.write("big," + "督" * (16 << 20) + "\n")
        f.write(f"ok,{ARTICLE}\n")
    tracemalloc.start()
    try:
        recs = list(iter_records([src]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "over the limit" in recs[0]["error"]
    assert recs[1] == {"id": "ok", "text": ARTICLE}
    assert peak < 24 << 20, f"peak {peak / 2**20:.0f} MiB for a 48 MiB field"


# ----------------------------------------------------------------------------- 3, 4, 14: locks, crashes, signals


def test_a_second_run_on_the_same_output_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "out.parquet"
    src = write_jsonl(tmp_path / "in.jsonl", records(5))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.write(fd, f'pid {os.getpid()} on host since now'.encode())\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
            str(out) + ".lock",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(UsageError, match=f"another run.*pid {holder.pid}"):
            _run_fake([src], out)
        result = CliRunner().invoke(main, ["predict", str(src), "--out", str(out)])
        assert result.exit_code == 2 and f"pid {holder.pid}" in result.output
        assert not out.exists() and not _run._partial_path(out).exists()
    finally:
        holder.kill()
        holder.wait()
    _run_fake([src], out)  # the lock dies with its holder
    assert len(list(read_output(out))) == 5
    assert not (tmp_path / "out.parquet.lock").exists()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_crash_between_the_final_rename_and_the_journal_cleanup_is_recognised_on_resume(tmp_path, monkeypatch, fmt):
    out = tmp_path / f"out.{fmt}"
    first = write_jsonl(tmp_path / "a.jsonl", records(20))
    _run_fake([first], out)
    src = write_jsonl(tmp_path / "b.jsonl", records(50))
    real_unlink = Path.unlink

    def crash(self, *args, **kwargs):
        if self.name.endswith(".partial"):
            raise SystemExit("killed after the rename")
        return real_unlink(self, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(Path, "unlink", crash)
        with pytest.raises(SystemExit):
            _run_fake([src], out, resume=True)
    assert _run._partial_path(out).exists()  # the crash left the journal beside the complete output
    summary = _run_fake([src], out, resume=True)
    assert summary.skipped == 50
    assert sorted(r["id"] for r in read_output(out)) == sorted(r["id"] for r in records(50))


def _big_input(tmp_path: Path, n: int = 20000) -> Path:
    return write_jsonl(tmp_path / "big.jsonl", [{"id": f"r{i}", "text": f"{ARTICLE}第{i}次。"} for i in range(n)])


def _start_run(tmp_path: Path, src: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "classifier", "predict", str(src), "--out", str(out), "--jobs", "2", "-q"]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    journal = _run._partial_path(out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (journal.exists() and journal.stat().st_size > 0):
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.1)
    return proc


def _descendants(pid: int) -> list:
    import psutil

    return psutil.Process(pid).children(recursive=True)


def _gone_within(procs: list, seconds: float) -> list:
    import psutil

    _, alive = psutil.wait_procs(procs, timeout=seconds)
    for p in alive:
        p.kill()
    return alive


def test_sigterm_stops_the_run_like_ctrl_c_with_exit_143_and_no_workers_left(tmp_path):
    import signal

    out = tmp_path / "out.jsonl"
    proc = _start_run(tmp_path, _big_input(tmp_path), out)
    workers = _descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=120)
    assert code == 143, proc.stderr.read() if proc.stderr else code
    assert _gone_within(workers, 20) == []
    assert _run._partial_path(out).exists() and not out.exists()
    done = len(_lines(_run._partial_path(out)))
    assert done > 0


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    import signal

    out = tmp_path / "out.jsonl"
    proc = _start_run(tmp_path, _big_input(tmp_path), out)
    workers = _descendants(proc.pid)
    assert workers
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _gone_within(workers, 20) == []
