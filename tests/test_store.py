"""The growing count store: appends add up to one count, windows read back."""

import json

import numpy as np
import pytest

import glipca.counting.stage
from click.testing import CliRunner

from glipca.cli import main
from glipca.counting import store as store_module
from glipca.counting.prepare import prepare_counts
from glipca.counting.store import CountStore
from glipca.datasets import make_trend_corpus


def same_counts(a, b):
    assert a.words == b.words
    assert a.periods.equals(b.periods)
    assert (a.posts == b.posts).all()
    assert (a.counts != b.counts).nnz == 0


@pytest.fixture(scope="module")
def days(tmp_path_factory):
    """A corpus, whole and cut into three files by day."""
    folder = tmp_path_factory.mktemp("store-input")
    corpus = make_trend_corpus(lang="en", n_trends=2, n_close_pairs=0, n_background=40,
                               posts_per_day=(40, 60), n_days=14, seed=3)
    whole = corpus.write_jsonl(folder / "whole.jsonl")
    lines = whole.read_text(encoding="utf-8").splitlines(True)
    day = [json.loads(line)["created_at"][:10] for line in lines]
    cuts = sorted(set(day))
    parts = []
    for i, (lo, hi) in enumerate([(cuts[0], cuts[3]), (cuts[4], cuts[7]), (cuts[8], cuts[-1])]):
        path = folder / f"part{i}.jsonl"
        path.write_text("".join(x for x, d in zip(lines, day) if lo <= d <= hi), encoding="utf-8")
        parts.append(path)
    return whole, parts, cuts


def test_appends_add_up_to_one_count(days, tmp_path):
    whole, parts, _ = days
    store = CountStore(tmp_path / "s")
    for path in parts:
        assert store.append(path, lang="en", jobs=1)["added"] > 0
    one = prepare_counts(whole, lang="en", jobs=1)
    got = store.read()
    same_counts(one.counts, got.counts)
    assert one.posts.equals(got.posts)
    assert got.report.used == one.report.used
    # The same file again is a no-op; posts whose id the store holds are not added.
    assert store.append(parts[1], lang="en", jobs=1) == {"added": 0, "repeated": 0, "periods": 0,
                                                           "skipped_inputs": 1}
    copy = tmp_path / "copy.jsonl"
    copy.write_text("".join(parts[1].read_text(encoding="utf-8").splitlines(True)[:30]), encoding="utf-8")
    assert store.append(copy, lang="en", jobs=1)["repeated"] == 30
    same_counts(one.counts, store.read().counts)


def test_other_options_are_refused(days, tmp_path):
    _, parts, _ = days
    store = CountStore(tmp_path / "s")
    store.append(parts[0], lang="en", jobs=1)
    with pytest.raises(ValueError, match="other options.*tz"):
        store.append(parts[1], lang="en", tz="Asia/Tokyo", jobs=1)
    with pytest.raises(ValueError, match="freq"):
        store.append(parts[0], lang="en", freq="12h", jobs=1)


def test_an_interrupted_append_leaves_the_store_as_it_was(days, tmp_path, monkeypatch):
    _, parts, _ = days
    store = CountStore(tmp_path / "s")
    store.append(parts[0], lang="en", jobs=1)
    before = store.read()

    def killed(path, text):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "_replace", killed)
    with pytest.raises(KeyboardInterrupt):
        store.append(parts[1], lang="en", jobs=1)
    monkeypatch.undo()
    after = store.read()
    same_counts(before.counts, after.counts)
    assert before.posts.equals(after.posts)
    assert store.append(parts[1], lang="en", jobs=1)["added"] > 0


_KILL = """
import os, signal, sys
from glipca.counting import store

def killed(*args, **kwargs):  # the parts are written, the manifest is not
    os.kill(os.getpid(), signal.SIGKILL)

store._write_words = killed
store.CountStore(sys.argv[1]).append(sys.argv[2], lang="en", jobs=1)
"""


def test_a_killed_append_leaves_a_store_that_analyses_as_before(stream, tmp_path):
    import os
    import shutil
    import signal
    import subprocess
    import sys

    from glipca.report.document import clusters_document
    from glipca.pipeline import run_analysis

    whole, store, days = stream
    copy = CountStore(shutil.copytree(store.folder, tmp_path / "store"))
    fast = dict(n_resamples=0, jobs=1)
    before = clusters_document(run_analysis(copy, **fast))
    new = tmp_path / "more.jsonl"
    new.write_text(json.dumps({"id": "late-1", "created_at": days[-1] + "T12:00:00",
                               "text": "a late post about a volcano"}) + "\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    ran = subprocess.run([sys.executable, "-c", _KILL, str(copy.folder), str(new)], env=env)
    assert ran.returncode == -signal.SIGKILL
    assert len(list((copy.folder / "parts").rglob("posts.parquet"))) > len(days)  # left behind
    assert clusters_document(run_analysis(copy, **fast)) == before
    assert copy.append(new, lang="en", jobs=1)["added"] == 1


def test_a_window_is_the_window_of_one_count(days, tmp_path):
    from glipca.counting.window import analysis_window

    whole, parts, cuts = days
    store = CountStore(tmp_path / "s")
    for path in parts:
        store.append(path, lang="en", jobs=1)
    one = prepare_counts(whole, lang="en", jobs=1)
    for bounds in (dict(since=cuts[2], until=cuts[5]), dict(last="4D", until=cuts[9]),
                   dict(until=cuts[6])):
        read = store.read(**bounds)
        # Only the parts of the window (and one period before it with last) are read.
        assert read.posts.n_posts < one.posts.n_posts
        a, window_a, rows_a = analysis_window(one.counts, **bounds)
        b, window_b, rows_b = analysis_window(read.counts, **bounds)
        same_counts(a, b)
        assert window_a == window_b and window_a.dropped > 0
        assert one.posts.regroup(rows_a).equals(read.posts.regroup(rows_b))


def test_a_moving_window_ends_where_the_bulk_of_the_posts_ends(days, tmp_path):
    from glipca.counting.window import analysis_window

    whole, parts, cuts = days
    stray = tmp_path / "stray.jsonl"  # a clock set two years ahead
    stray.write_text(json.dumps({"id": "stray", "created_at": "2022-01-01T00:00:00+00:00",
                                 "text": "volcano"}) + "\n", encoding="utf-8")
    store = CountStore(tmp_path / "s")
    for path in [*parts, stray]:
        store.append(path, lang="en", jobs=1)
    both = tmp_path / "both.jsonl"
    both.write_text(whole.read_text(encoding="utf-8") + stray.read_text(encoding="utf-8"),
                    encoding="utf-8")
    one = prepare_counts(both, lang="en", jobs=1)
    for bounds in (dict(last="5D"), dict(last="5D", until="2030-01-01")):
        read = store.read(**bounds)
        a, window_a, rows_a = analysis_window(one.counts, **bounds)
        b, window_b, rows_b = analysis_window(read.counts, **bounds)
        same_counts(a, b)
        assert window_a == window_b
        assert one.posts.regroup(rows_a).equals(read.posts.regroup(rows_b))
    assert window_a.last == "2022-01-01" and store.read(last="5D").posts.n_posts < one.posts.n_posts


def test_cli_count_appends_to_a_store(days, tmp_path):
    whole, parts, _ = days
    for path in parts[:2]:
        ran = CliRunner().invoke(main, ["count", str(path), "--store", str(tmp_path / "s"), "--append",
                                        "--lang", "en", "-j", "1"])
        assert ran.exit_code == 0, ran.output
        assert "added" in ran.output
    again = CliRunner().invoke(main, ["count", str(parts[0]), "--store", str(tmp_path / "s"),
                                      "--append", "--lang", "en", "-j", "1"])
    assert again.exit_code == 0 and "0 posts added" in again.output
    assert "1 input file(s) appended before, skipped" in again.output
    ran = CliRunner().invoke(main, ["count", str(parts[0]), "--store", str(tmp_path / "s"), "--append",
                                    "--lang", "en", "--tz", "Asia/Tokyo"])
    assert ran.exit_code == 2 and "other options" in ran.output
    assert CountStore(tmp_path / "s").read().report.used > 0


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    """A corpus in one file, and a store it was appended to one day at a time."""
    folder = tmp_path_factory.mktemp("stream")
    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(250, 350), n_days=24, seed=5)
    whole = corpus.write_jsonl(folder / "whole.jsonl")
    lines = whole.read_text(encoding="utf-8").splitlines(True)
    by_day = {}
    for line in lines:
        by_day.setdefault(json.loads(line)["created_at"][:10], []).append(line)
    store = CountStore(folder / "store")
    for day, part in sorted(by_day.items()):
        path = folder / f"{day}.jsonl"
        path.write_text("".join(part), encoding="utf-8")
        store.append(path, lang="en", jobs=1)
        path.unlink()  # an analysis of the store reads no input file
    return whole, store, sorted(by_day)


def _analyse(tmp_path, name, *args):
    out = tmp_path / name
    ran = CliRunner().invoke(main, ["analyse", *map(str, args), "--out", str(out), "--lang", "en",
                                    "--resamples", "0", "--no-plots", "-q", "-j", "1", "--no-cache"])
    assert ran.exit_code == 0, ran.output
    return out


@pytest.mark.parametrize("window", [[], ["--until", "@-4"], ["--since", "@3", "--until", "@-2"],
                                    ["--last", "16D", "--until", "@-3"]])
def test_a_store_window_analyses_as_the_input_files(stream, tmp_path, monkeypatch, window):
    whole, store, days = stream
    window = [days[int(w[1:])] if w.startswith("@") else w for w in window]
    fresh = _analyse(tmp_path, "fresh", whole, *window)
    import glipca.pipeline

    def no_reading(*args, **kwargs):
        raise AssertionError("an analysis of a store read its input")

    monkeypatch.setattr(glipca.counting.stage, "prepare_counts", no_reading)
    stored = _analyse(tmp_path, "stored", "--store", store.folder, *window)
    for name in ("clusters.json", "posts.json", "series.csv", "peaks.csv", "graph.csv"):
        assert (stored / name).read_bytes() == (fresh / name).read_bytes(), name
    doc = json.loads((stored / "clusters.json").read_text(encoding="utf-8"))
    assert doc["clusters"]
    if window:
        assert doc["summary"]["window"]["posts_outside"] > 0
    run = json.loads((stored / "run.json").read_text(encoding="utf-8"))
    assert run["store"] == "store" and len(run["inputs"]) == len(days)
    assert run["counts_key"] is None
    from glipca.report.folder import write_report

    page = write_report(stored, figures=False).read_text(encoding="utf-8")
    assert "<h1>Trend report: count store store</h1>" in page
    assert f"({len(days)} files appended)" in page


def test_the_python_api_takes_a_store(stream):
    import glipca

    whole, store, days = stream
    fast = dict(lang="en", n_resamples=0, jobs=1, until=days[-4])
    stored, fresh = glipca.analyse(store, **fast), glipca.analyse(whole, **fast)
    assert stored._results.doc == fresh._results.doc and len(stored) >= 1
    assert stored.series_of(0).equals(fresh.series_of(0))


def test_a_store_refuses_other_options_and_is_named(stream, tmp_path):
    _, store, _ = stream
    ran = CliRunner().invoke(main, ["analyse", "--store", str(store.folder), "--out",
                                    str(tmp_path / "o"), "--tz", "Asia/Tokyo"])
    assert ran.exit_code == 2 and "made with tz UTC" in ran.output
    ran = CliRunner().invoke(main, ["analyse", "--store", str(tmp_path), "--out", str(tmp_path / "o")])
    assert ran.exit_code == 2 and "not a count store" in ran.output
    ran = CliRunner().invoke(main, ["analyse", "--out", str(tmp_path / "o")])
    assert ran.exit_code == 2 and "INPUT files or --store" in ran.output
