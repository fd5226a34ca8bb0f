"""An analysis of a count store reads only the posts near the stories, and
finds what the analysis of every post finds, byte for byte."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.counting import storedposts
from glipca.counting.store import CountStore
from glipca.datasets import make_trend_corpus
from glipca.model import stored_descriptive


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A planted corpus in one file, and a store it was appended to in four files."""
    folder = tmp_path_factory.mktemp("planted")
    corpus = make_trend_corpus(lang="en", n_trends=4, n_close_pairs=1, n_background=80,
                               posts_per_day=(300, 400), n_days=30, seed=21)
    whole = corpus.write_jsonl(folder / "whole.jsonl")
    lines = whole.read_text(encoding="utf-8").splitlines(True)
    store = CountStore(folder / "store")
    for i, part in enumerate(np.array_split(np.arange(len(lines)), 4)):
        path = folder / f"part{i}.jsonl"
        path.write_text("".join(lines[j] for j in part), encoding="utf-8")
        store.append(path, lang="en", jobs=1)
    return whole, store, len(lines)


def _analyse(out, *args):
    ran = CliRunner().invoke(main, ["analyse", *map(str, args), "--out", str(out), "--lang", "en",
                                    "--resamples", "0", "--no-plots", "-q", "-j", "1", "--no-cache"])
    assert ran.exit_code == 0, ran.output
    return out


def test_a_store_analysis_reads_only_posts_near_the_stories(planted, tmp_path, monkeypatch):
    whole, store, n_posts = planted
    read, texts, kept = [], [], []
    near, read_texts = storedposts.StoredPosts.near, storedposts._read_texts
    read_windows = stored_descriptive.StoredDescriber._read

    def counting_near(self, columns, lo, hi, min_words):
        # Posts are read whole (their words) only by the windows of the
        # descriptive words, which keep the story posts' words alone.
        assert min_words >= 1
        rows, posts = near(self, columns, lo, hi, min_words)
        held = np.bincount(np.asarray(columns), minlength=posts.n_words)
        # Every post read holds the words asked for, in the periods asked for.
        assert (posts.words.astype(np.int64) @ held >= min_words).all()
        assert ((posts.period >= lo) & (posts.period <= hi)).all()
        read.append(rows)
        return rows, posts

    def counting_texts(path, rows):
        texts.append(len(rows))
        return read_texts(path, rows)

    def counting_read(self, peaks, extra):
        windows = read_windows(self, peaks, extra)
        kept.extend((w.held.shape[0], int(w.n_posts.sum())) for w in windows.values())
        return windows

    def no_whole_read(*args, **kwargs):
        raise AssertionError("a part was read whole")

    monkeypatch.setattr(storedposts.StoredPosts, "near", counting_near)
    monkeypatch.setattr(storedposts, "_read_texts", counting_texts)
    monkeypatch.setattr(stored_descriptive.StoredDescriber, "_read", counting_read)
    monkeypatch.setattr(CountStore, "_read_part", no_whole_read)
    stored = _analyse(tmp_path / "stored", "--store", store.folder)
    monkeypatch.undo()
    fresh = _analyse(tmp_path / "fresh", whole)
    for name in ("clusters.json", "posts.json", "series.csv", "peaks.csv"):
        assert (stored / name).read_bytes() == (fresh / name).read_bytes(), name
    doc = json.loads((stored / "clusters.json").read_text(encoding="utf-8"))
    assert len(doc["clusters"]) >= 3
    # Posts near the stories only: the words of the posts within a few days
    # of a story's peak (its descriptive words compare them all), and of
    # those only the posts that hold the story's words for the co-occurrence
    # test. This corpus is dense in stories (30 days, peaks on most of
    # them): a real dump has far fewer such posts.
    distinct = np.unique(np.concatenate(read))
    assert 0 < len(distinct) < n_posts, (len(distinct), n_posts)
    assert 0 < sum(texts) < n_posts / 20
    # The descriptive words keep the words of the posts near a peak that may
    # tell a story (they hold a cluster's or a strong candidate's word), not
    # of every post there.
    held, distinct = np.sum(kept, axis=0)
    assert kept and 0 < held < distinct / 5, (held, distinct)


def test_the_lazy_and_whole_reads_of_a_store_analyse_alike(planted, tmp_path):
    import glipca
    from glipca.counting.storedposts import StoredPosts

    _, store, _ = planted
    lazy = store.read(lazy=True)
    assert isinstance(lazy.posts, StoredPosts)
    eager = store.read()
    assert lazy.counts.words == eager.counts.words
    assert (lazy.counts.counts != eager.counts.counts).nnz == 0
    assert (lazy.counts.posts == eager.counts.posts).all()
    # Representative posts and labels through the PostWords of every post.
    fast = dict(n_resamples=0, jobs=1)
    a, b = glipca.analyse(lazy, **fast), glipca.analyse(eager, **fast)
    assert a._results.doc == b._results.doc and len(a) >= 3
