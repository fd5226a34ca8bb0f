"""Seeded mutation fuzzing through the command line.

A small valid corpus is damaged at random (``glipca.datasets.hostile``) in
each input layout, and ``glipca count`` must: exit 0 under ``--on-error
skip`` with every record accounted for and the same report whatever the
number of processes; stop with exit 2 and one line naming file and line
under the default policy; never print a traceback; and finish well within
a generous time limit (a runaway parse would not).
"""

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.datasets import make_trend_corpus
from glipca.datasets.hostile import mutate_lines

#: Far above the few seconds a run takes; only a runaway run reaches it.
TIMEOUT = 120


@pytest.fixture(scope="module")
def records():
    corpus = make_trend_corpus(n_days=20, n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(100, 140), seed=5)
    return [{"id": int(r.id), "created_at": r.created_at, "text": r.text}
            for r in corpus.posts.itertuples(index=False)]


def _layout(records, layout, seed):
    if layout == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([r["id"], r["created_at"], r["text"]] for r in records)
        lines = buf.getvalue().encode().splitlines()
        return b"id,created_at,text\n" + b"\n".join(mutate_lines(lines, seed=seed, size=1 << 15)) + b"\n"
    lines = mutate_lines([json.dumps(r, ensure_ascii=False).encode() for r in records], seed=seed, size=1 << 15)
    if layout == "json":
        return b"[" + b",\n".join(lines) + b"]\n"
    return b"\n".join(lines) + b"\n"


def _count(path, out, *options, separate=False):
    """Exit code and output of ``glipca count``; in its own process, with a time limit, if ``separate``."""
    args = ["count", str(path), "--out", str(out), "--lang", "en", "--no-cache", *options]
    if separate:
        proc = subprocess.run([sys.executable, "-m", "glipca.cli", *args], capture_output=True, text=True,
                              timeout=TIMEOUT)
        code, output = proc.returncode, proc.stderr + proc.stdout
    else:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        code, output = result.exit_code, result.output
    assert "Traceback" not in output
    return code, output


@pytest.mark.parametrize("layout, seed", [("jsonl", 1), ("jsonl", 2), ("json", 3), ("csv", 4)])
def test_mutated_input_is_counted_or_refused_in_one_line(tmp_path, records, layout, seed):
    path = tmp_path / f"posts.{layout}"
    path.write_bytes(_layout(records, layout, seed))

    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, output = _count(path, out, "--on-error", "skip", "-j", jobs, separate=jobs == "2")
        assert code == 0, output
        report = json.loads((out / "meta.json").read_text("utf-8"))["report"]
        assert report["read"] == report["used"] + report["n_skipped"] + report["n_dropped"]
        assert report["n_skipped"] > 0 and report["used"] > len(records) // 2
        reports.append(report)
    assert reports[0] == reports[1]

    code, output = _count(path, tmp_path / "strict")
    assert code == 2
    (line,) = output.splitlines()
    assert line.startswith(f"glipca: error: {path}:")
    assert not (tmp_path / "strict").exists()


def test_mutated_input_with_wild_times_is_analysed_in_its_window(tmp_path):
    """A few thousand mutated lines (wild timestamps among them) through ``glipca analyse``."""
    corpus = make_trend_corpus(n_days=30, n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(150, 200), seed=6)
    records = [{"id": int(r.id), "created_at": r.created_at, "text": r.text}
               for r in corpus.posts.itertuples(index=False)]
    path = tmp_path / "posts.jsonl"
    path.write_bytes(_layout(records, "jsonl", 6))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "glipca.cli", "analyse", str(path), "--out", str(out),
                           "--lang", "en", "--no-cache", "--on-error", "skip", "--resamples", "0",
                           "--no-plots", "-j", "1"], capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    s = json.loads((out / "clusters.json").read_text("utf-8"))["summary"]
    assert s["posts_read"] == s["posts_used"] + s["posts_skipped"] + s["posts_dropped"]
    # Posts dated years away are left out of the window, and counted.
    window = s["window"]
    assert s["dropped_by_reason"]["out_of_window"] == window["posts_outside"] > 0
    assert window["data_first"] < window["first"] and window["data_last"] > window["last"]
    assert s["periods"] == 30 and s["clusters"] > 0
    assert f"window: {window['first']} .. {window['last']} (bulk)" in proc.stdout + proc.stderr
