"""Per-post words kept by the counting pass: the same on every path, cached,
and enough for the analysis never to read the input twice."""

import builtins
import io
import os

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import glipca
from glipca.counting.counts import count_post_words, count_words
from glipca.counting.postwords import PostWords, read_post_words, write_post_words
from glipca.counting.prepare import prepare_counts
from glipca.datasets import make_trend_corpus
from glipca.ingest import IngestReport, read_batches, read_posts
from glipca.tokens import EnglishTokenizer


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(250, 350), n_days=30, seed=7)
    return corpus.write_jsonl(tmp_path_factory.mktemp("pw") / "posts.jsonl")


def test_posts_agree_with_counts_for_any_jobs(corpus_file, monkeypatch):
    from glipca.counting import counts as counts_module

    monkeypatch.setattr(counts_module, "_TASK", 500)  # several tasks, so a pool starts
    tok = EnglishTokenizer()
    report = IngestReport()
    counts, posts = count_post_words(read_batches(corpus_file, size=300, report=report), tok,
                                     report=report, jobs=1)
    # Every post counted once, its words those the counts hold.
    assert posts.n_posts == report.used == counts.posts.sum()
    assert posts.words.shape == (posts.n_posts, counts.n_words)
    assert posts.words.has_sorted_indices and set(np.unique(posts.words.data)) == {1}
    periods = sp.csr_matrix((np.ones(posts.n_posts), (posts.period, np.arange(posts.n_posts))),
                            shape=(counts.n_periods, posts.n_posts))
    assert ((periods @ posts.words) != counts.counts).nnz == 0
    # The first post, read again.
    first = next(read_posts(corpus_file))
    assert posts.ids[0].as_py() == first.id and posts.texts([0]) == [first.text]
    assert sorted(counts.words[j] for j in posts.words[0].indices) == sorted(set(tok(first.text)))
    same, again = count_post_words(read_posts(corpus_file), tok, jobs=2)
    assert again.equals(posts)
    plain = count_words(read_posts(corpus_file), tok)
    assert (plain.counts != same.counts).nnz == 0


def test_duplicates_are_left_out_of_the_posts(tmp_path):
    path = tmp_path / "dup.jsonl"
    lines = ['{"id": %d, "created_at": "2020-01-0%dT10:00:00Z", "text": "%s"}\n' % (i, 1 + i % 3, t)
             for i, t in enumerate(["red apple", "blue sky", "red sky", "red apple", "blue sky"])]
    path.write_text("".join(lines), encoding="utf-8")
    tok = EnglishTokenizer(stop_words=())
    counts, posts = count_post_words(read_posts(path), tok, drop_duplicates=True)
    # Ids 3 and 4 repeat the time and text of ids 0 and 1.
    assert posts.ids.to_pylist() == ["0", "1", "2"]
    assert counts.posts.sum() == posts.n_posts


def test_parquet_round_trip_and_accessors(corpus_file, tmp_path):
    counts, posts = count_post_words(read_posts(corpus_file), EnglishTokenizer())
    write_post_words(posts, tmp_path)
    back = read_post_words(tmp_path, counts.n_words)
    assert back.equals(posts)
    rows = np.array([posts.n_posts - 1, 0, 70_000 % posts.n_posts, 5])
    assert back.texts(rows) == posts.texts(rows)
    near = posts.rows_in_periods(3, 4)
    assert len(near) == counts.posts[3:5].sum()
    assert np.all((posts.period[near] >= 3) & (posts.period[near] <= 4))
    post = next(back.posts(near[:1]))
    assert post.time.utcoffset().total_seconds() == 0 and post.text == posts.texts(near[:1])[0]
    assert read_post_words(tmp_path / "none", 3) is None
    empty = PostWords(np.zeros(0), sp.csr_matrix((0, 2)), [], np.zeros(0), [])
    write_post_words(empty, tmp_path)
    assert read_post_words(tmp_path, 2).n_posts == 0


def test_cache_keeps_the_posts(corpus_file, tmp_path):
    first = prepare_counts(corpus_file, lang="en", cache=tmp_path, jobs=1)
    again = prepare_counts(corpus_file, lang="en", cache=tmp_path, jobs=1)
    assert again.from_cache and again.posts.equals(first.posts)
    # An entry made without the posts serves counts only.
    bare = tmp_path / "bare"
    prepare_counts(corpus_file, lang="en", cache=bare, jobs=1, keep_posts=False)
    assert prepare_counts(corpus_file, lang="en", cache=bare, keep_posts=False).from_cache
    assert not prepare_counts(corpus_file, lang="en", cache=bare, jobs=1).from_cache


def test_representative_posts_from_kept_posts_match_a_second_read(corpus_file, tmp_path):
    result = glipca.analyse(corpus_file, cache=tmp_path, n_resamples=0, jobs=1)
    analysis = result.analysis
    assert analysis.post_words is not None and result.clusters
    # What reading and tokenising the input again finds, by brute force.
    tok, index = EnglishTokenizer(), analysis.series.index
    posts = list(read_posts(corpus_file))
    for k, cluster in enumerate(analysis.model.clusters_):
        peak = index.get_loc(cluster.peak)
        weight = dict(zip(cluster.words, np.asarray(cluster.loadings) / np.sum(cluster.loadings)))
        ranked = []
        for post in posts:
            t = pd.Timestamp(post.time)
            d = abs(int(index.searchsorted(t, side="right")) - 1 - peak)
            words = set(tok(post.text))
            hit = [w for w in cluster.words if w in words]
            if d <= 3 and len(hit) >= min(2, cluster.size):
                score = sum(weight[w] for w in hit) / (1 + d)
                ranked.append((-round(score, 12), t.value, str(post.id), post.text, score, hit))
        ranked.sort(key=lambda r: r[:3])
        best, seen = [], set()
        for _, _, pid, text, score, hit in ranked:
            key = " ".join(text.casefold().split())
            if key not in seen:
                seen.add(key)
                best.append((pid, text, score, tuple(hit)))
        got = [(p.id, p.text, p.score, p.words) for p in analysis.posts[k]]
        assert got == best[:5]


def test_warm_cache_analysis_never_opens_the_input(corpus_file, tmp_path, monkeypatch):
    cold = glipca.analyse(corpus_file, cache=tmp_path, n_resamples=0, jobs=1)
    target = os.path.realpath(corpus_file)
    opened = []

    def guard(real):
        def checked(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and os.path.realpath(file) == target:
                opened.append(file)
                raise AssertionError(f"input opened: {file}")
            return real(file, *args, **kwargs)
        return checked

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    warm = glipca.analyse(corpus_file, cache=tmp_path, n_resamples=0, jobs=1)
    assert not opened and warm.analysis.from_cache
    assert warm.analysis.posts == cold.analysis.posts and warm._doc == cold._doc
