"""The growing count store: appends add up to one count, windows read back."""

import json

import numpy as np
import pytest
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


def test_a_window_is_the_count_of_its_posts(days, tmp_path):
    whole, parts, cuts = days
    store = CountStore(tmp_path / "s")
    for path in parts:
        store.append(path, lang="en", jobs=1)
    window = store.read(since=cuts[2], until=cuts[5])
    lines = [x for x in whole.read_text(encoding="utf-8").splitlines(True)
             if cuts[2] <= json.loads(x)["created_at"][:10] <= cuts[5]]
    (tmp_path / "window.jsonl").write_text("".join(lines), encoding="utf-8")
    one = prepare_counts(tmp_path / "window.jsonl", lang="en", jobs=1)
    same_counts(one.counts, window.counts)
    assert one.posts.equals(window.posts)


def test_cli_count_appends_to_a_store(days, tmp_path):
    whole, parts, _ = days
    for path in parts[:2]:
        ran = CliRunner().invoke(main, ["count", str(path), "--store", str(tmp_path / "s"), "--append",
                                        "--lang", "en", "-j", "1"])
        assert ran.exit_code == 0, ran.output
        assert "added" in ran.output
    ran = CliRunner().invoke(main, ["count", str(parts[0]), "--store", str(tmp_path / "s"), "--append",
                                    "--lang", "en", "--tz", "Asia/Tokyo"])
    assert ran.exit_code == 2 and "other options" in ran.output
    assert CountStore(tmp_path / "s").read().report.used > 0


def test_a_store_analyses_as_its_posts(tmp_path):
    from glipca.pipeline import run_analysis

    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(250, 350), n_days=20, seed=5)
    whole = corpus.write_jsonl(tmp_path / "whole.jsonl")
    lines = whole.read_text(encoding="utf-8").splitlines(True)
    half = len(lines) // 2
    store = CountStore(tmp_path / "s")
    for i, part in enumerate((lines[:half], lines[half:])):
        (tmp_path / f"{i}.jsonl").write_text("".join(part), encoding="utf-8")
        store.append(tmp_path / f"{i}.jsonl", lang="en", jobs=1)
    fast = dict(n_resamples=0, jobs=1)
    stored = run_analysis(store.read(), **fast)
    fresh = run_analysis(whole, lang="en", **fast)
    assert stored.clusters == fresh.clusters and stored.clusters
    assert stored.posts == fresh.posts
    assert stored.stories == fresh.stories
    stored.params.pop("counts_key"), fresh.params.pop("counts_key")
    assert stored.params == fresh.params
