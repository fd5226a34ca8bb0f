"""A count store shared by many writers and readers, and a damaged store named."""

import json
import os
import signal
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.counting.lock import store_lock
from glipca.counting.prepare import prepare_counts
from glipca.counting.store import CountStore
from glipca.datasets import make_trend_corpus

ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

# Appends of a file, killed with SIGKILL once its parts are written and
# before its manifest is: in the middle of its write, holding the lock.
_KILLED = """
import os, signal, sys
from glipca.counting import store

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

store._write_words = killed
store.CountStore(sys.argv[1]).append(sys.argv[2], lang="en", jobs=1)
"""

# 1, 2, 4 and 8 lines of every 15: the four files' sizes differ, and so
# does every sum of some of them.
_SHARES = [0] + [1] * 2 + [2] * 4 + [3] * 8


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    """A corpus in one file, and cut into four files that share every day."""
    folder = tmp_path_factory.mktemp("quarters")
    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(60, 90), n_days=20, seed=11)
    whole = corpus.write_jsonl(folder / "whole.jsonl")
    lines = whole.read_text(encoding="utf-8").splitlines(True)
    files = []
    for q in range(4):
        path = folder / f"q{q}.jsonl"
        path.write_text("".join(x for i, x in enumerate(lines) if _SHARES[i % 15] == q),
                        encoding="utf-8")
        files.append(path)
    return whole, files


def _append(store, path, *extra):
    return subprocess.Popen([sys.executable, "-m", "glipca.cli", "count", str(path), "--store",
                             str(store), "--append", "--lang", "en", "-j", "1", "-q", *extra],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _by_id(prepared):
    """Each post's period start, time, words and text, by id."""
    p, c = prepared.posts, prepared.counts
    starts = [str(c.periods[k]) for k in p.period]
    words = [tuple(c.words[j] for j in p.words.indices[p.words.indptr[i]:p.words.indptr[i + 1]])
             for i in range(p.n_posts)]
    return {i: (s, int(t), w, x) for i, s, t, w, x in
            zip(p.ids.to_pylist(), starts, p.times, words, p.texts())}


def assert_same_store(store, files):
    """The store holds, cell for cell and post for post, one count of ``files``."""
    one = prepare_counts(files, lang="en", jobs=1)
    got = store.read()
    a, b = one.counts, got.counts
    assert a.words == b.words and a.periods.equals(b.periods)
    assert (a.posts == b.posts).all() and (a.counts != b.counts).nnz == 0
    assert got.posts.n_posts == one.posts.n_posts
    assert _by_id(got) == _by_id(one)
    assert got.report.used == one.report.used


def test_four_appends_at_once_equal_one_count(quarters, tmp_path):
    whole, files = quarters
    store = tmp_path / "s"
    runs = [_append(store, f) for f in files]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert_same_store(CountStore(store), files)
    assert CountStore(store).manifest()["appends"] == 4
    assert CliRunner().invoke(main, ["store", "verify", str(store)]).exit_code == 0


def test_a_killed_append_among_four_loses_nothing_else(quarters, tmp_path):
    whole, files = quarters
    store = tmp_path / "s"
    killed = subprocess.Popen([sys.executable, "-c", _KILLED, str(store), str(files[2])], env=ENV,
                              stderr=subprocess.PIPE, text=True)
    runs = [_append(store, f) for f in (files[0], files[1], files[3])]
    said = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        said.append(err)
    killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    others = [files[0], files[1], files[3]]
    if not any("took over" in s for s in said):  # it died after the others finished
        assert any((store / "parts").glob("*/*")) and json.loads((store / "store.lock").read_text())
    assert_same_store(CountStore(store), others)  # its posts are absent, the others' all there
    again = _append(store, files[2])
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    said.append(err)
    assert sum("took over the lock" in s and "did not finish" in s for s in said) == 1
    assert_same_store(CountStore(store), files)
    assert CliRunner().invoke(main, ["store", "verify", str(store)]).exit_code == 0


def test_an_append_waits_for_the_holder_or_refuses_with_no_wait(quarters, tmp_path):
    import socket

    whole, files = quarters
    store = tmp_path / "s"
    with store_lock(store):
        refused = _append(store, files[0], "--no-wait")
        out, err = refused.communicate(timeout=300)
        assert refused.returncode == 2
        assert len(err.strip().splitlines()) == 1
        assert f"process {os.getpid()} on host {socket.gethostname()}" in err and "--no-wait" in err
        waiting = _append(store, files[0])
        err = waiting.stderr.readline()  # said while the lock is still held here
        assert waiting.poll() is None
        assert f"waiting for the append of process {os.getpid()}" in err
    out, rest = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, rest
    assert_same_store(CountStore(store), files[:1])


@pytest.fixture(scope="module")
def by_day(tmp_path_factory):
    """A corpus of 24 days: its first 14 days in one file, then a file per day."""
    folder = tmp_path_factory.mktemp("by-day")
    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(60, 90), n_days=24, seed=13)
    lines = corpus.write_jsonl(folder / "whole.jsonl").read_text(encoding="utf-8").splitlines(True)
    day = [json.loads(x)["created_at"][:10] for x in lines]
    days = sorted(set(day))
    files = []
    for name, wanted in [("first", days[:14])] + [(d, [d]) for d in days[14:]]:
        path = folder / f"{name}.jsonl"
        path.write_text("".join(x for x, d in zip(lines, day) if d in wanted), encoding="utf-8")
        files.append(path)
    return files


def _appending(store, files):
    """A process appending ``files`` one after the other, each by its own command."""
    line = " && ".join(f"{sys.executable} -m glipca.cli count {f} --store {store} --append "
                       "--lang en -j 1 -q" for f in files)
    return subprocess.Popen(["sh", "-c", line], env=ENV, stderr=subprocess.PIPE, text=True)


def _analyses_while(store, appenders):
    """Posts read by every analysis of ``store`` run while ``appenders`` run,
    and by one once they end."""
    from glipca.counting.integrity import StoreDamaged
    from glipca.pipeline import run_analysis

    seen, running = [], True
    while running:
        running = any(a.poll() is None for a in appenders)
        try:
            result = run_analysis(CountStore(store), n_resamples=0, n_posts=0, jobs=1,
                                  cooccurrence=False, min_count=5, min_periods=2)
        except StoreDamaged:
            raise
        except ValueError as err:  # too little in the store to cluster
            assert "passed the single-peak test" in str(err), err
            continue
        r = result.report
        outside = r.dropped.get("out_of_window", 0)
        # The manifest's report, posts per period and the parts read agree.
        assert r.used + outside == r.read == int(result.counts.posts.sum()) + outside
        assert result.post_words.n_posts == r.used
        seen.append(r.read)
    return seen


def test_analyses_during_appends_see_whole_appends(by_day, tmp_path):
    import itertools

    sizes = [len(f.read_text(encoding="utf-8").splitlines()) for f in by_day]
    a, b = by_day[1::2], by_day[2::2]
    size = dict(zip(by_day, sizes))
    # Each appender appends its files in order: a store holds the first
    # file, a first run of a's files and a first run of b's, nothing else.
    whole = {sizes[0] + sum(size[f] for f in a[:i]) + sum(size[f] for f in b[:j])
             for i, j in itertools.product(range(len(a) + 1), range(len(b) + 1))}
    store = tmp_path / "s"
    assert _appending(store, by_day[:1]).wait(timeout=300) == 0
    appenders = [_appending(store, a), _appending(store, b)]
    seen = _analyses_while(store, appenders)
    assert [p.wait(timeout=300) for p in appenders] == [0, 0]
    assert all(n in whole for n in seen), (seen, sorted(whole))
    assert seen[-1] == sum(sizes)  # the last, after every append, sees them all
    assert len(set(seen)) >= 3  # some ran while the appends did


@pytest.fixture(scope="module")
def sound(quarters, tmp_path_factory):
    whole, files = quarters
    folder = tmp_path_factory.mktemp("sound") / "s"
    for f in files:
        CountStore(folder).append(f, lang="en", jobs=1)
    return folder


def _damaged(sound, tmp_path):
    import shutil

    folder = shutil.copytree(sound, tmp_path / "s")
    doc = json.loads((folder / "store.json").read_text(encoding="utf-8"))
    key = sorted(doc["parts"], key=int)[len(doc["parts"]) // 2]
    return folder, doc, key, doc["parts"][key][-1]


def _refused(folder, tmp_path, *names):
    """``store verify`` and ``analyse --store`` both refuse, naming ``names``."""
    verify = CliRunner().invoke(main, ["store", "verify", str(folder)])
    assert verify.exit_code == 2
    problems = verify.stdout.strip().splitlines()
    assert problems and all(n in problems[0] for n in names), verify.output
    analyse = CliRunner().invoke(main, ["analyse", "--store", str(folder), "--out",
                                        str(tmp_path / "out"), "-q", "--no-plots", "-j", "1"])
    assert analyse.exit_code == 2
    line, = analyse.output.strip().splitlines()
    assert all(n in line for n in names) and f"glipca store verify {folder}" in line
    assert not (tmp_path / "out").exists()
    return problems


def test_verify_finds_a_deleted_part(sound, tmp_path):
    import shutil

    folder, doc, key, part = _damaged(sound, tmp_path)
    shutil.rmtree(folder / part)
    assert _refused(folder, tmp_path, part, "missing") == [f"{folder}: part {part}: missing"]


def test_verify_finds_a_truncated_part(sound, tmp_path):
    folder, doc, key, part = _damaged(sound, tmp_path)
    path = folder / part / "posts.parquet"
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    assert _refused(folder, tmp_path, part, "bytes") == [
        f"{folder}: part {part}: {len(data) // 2} bytes, the manifest says {len(data)}"]


def test_verify_finds_a_manifest_edited_by_hand(sound, tmp_path):
    folder, doc, key, part = _damaged(sound, tmp_path)
    doc["posts"][key] += 5  # a hand "fix" of the posts of one period
    (folder / "store.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    problems = _refused(folder, tmp_path, "store.json", "edited by hand", part)
    assert len(problems) == 2 and f"period {key} (" in problems[1]


def test_a_sound_store_verifies_and_is_described(sound, quarters):
    whole, files = quarters
    verify = CliRunner().invoke(main, ["store", "verify", str(sound)])
    assert verify.exit_code == 0 and verify.stdout == "" and "sound" in verify.output
    info = CliRunner().invoke(main, ["store", "info", str(sound)])
    assert info.exit_code == 0
    n_posts = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
    assert f"posts: {n_posts}," in info.output and "inputs: 4 (q0.jsonl" in info.output
    assert "periods: 20 with posts" in info.output and "4 appends" in info.output


def test_stores_without_checksums_still_read_and_verify(sound, tmp_path):
    import shutil

    folder = shutil.copytree(sound, tmp_path / "old")
    doc = json.loads((folder / "store.json").read_text(encoding="utf-8"))
    for field in ("checks", "checksum", "words_sha256", "posts"):
        doc.pop(field)
    (folder / "store.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    assert CliRunner().invoke(main, ["store", "verify", str(folder)]).exit_code == 0
    assert CountStore(folder).read().posts.equals(CountStore(sound).read().posts)


def test_locks_of_threads_of_one_process_exclude_each_other(tmp_path):
    inside, overlap = [], []

    def hold():
        with store_lock(tmp_path / "s"):
            inside.append(1)
            overlap.append(len(inside))
            threading.Event().wait(0.05)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlap == [1, 1, 1, 1]
    assert (tmp_path / "s" / "store.lock").read_text() == ""  # nobody died holding it
