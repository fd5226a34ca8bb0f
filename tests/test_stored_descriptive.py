"""The descriptive words and coherence of stories whose posts stay in a count
store are those of the posts in memory, to the bit, copies of posts included."""

import datetime as dt
import json

import numpy as np
import pytest

from glipca.counting.postwords import word_columns
from glipca.counting.store import CountStore
from glipca.datasets import make_trend_corpus
from glipca.model.cooccurrence import PostWindows, word_set_keys
from glipca.model.descriptive import Describer
from glipca.model.stored_descriptive import StoredDescriber

WINDOW = 2


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    """A store of generated posts of which a fifth are posted again 0 to 4 days later."""
    folder = tmp_path_factory.mktemp("copied")
    corpus = make_trend_corpus(lang="en", n_trends=4, n_close_pairs=1, n_background=60,
                               posts_per_day=(150, 200), n_days=20, seed=5)
    posts = [json.loads(line) for line in
             corpus.write_jsonl(folder / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = np.random.default_rng(0)
    field = next(k for k in posts[0] if k not in ("id", "text"))
    for i in rng.choice(len(posts), len(posts) // 5, replace=False).tolist():
        post = dict(posts[i], id=f"copy-{i}")
        when = dt.datetime.fromisoformat(post[field])
        post[field] = (when + dt.timedelta(days=int(rng.integers(0, 5)))).isoformat()
        posts.append(post)
    posts.sort(key=lambda p: dt.datetime.fromisoformat(p[field]))
    path = folder / "copied.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    store = CountStore(folder / "store")
    store.append(path, lang="en", jobs=1)
    return store, corpus.trends


def _describers(copied):
    store, trends = copied
    eager, lazy = store.read(), store.read(lazy=True)
    words = list(eager.counts.words)
    assert str(eager.counts.periods[0])[:10] == "2020-03-08"  # day k is period k
    by_posts = np.asarray(eager.posts.words.sum(axis=0)).ravel()
    planted = [w for t in trends for w in t["words"]]
    story = planted + [words[j] for j in np.argsort(-by_posts, kind="stable")[:20]
                       if words[j] not in planted]
    columns = word_columns(words, story)
    windows = PostWindows(eager.posts.period, eager.posts.words[:, columns], story,
                          keys=word_set_keys(eager.posts.words))
    options = dict(window=WINDOW, min_posts=3, threshold=0.0)
    memory = Describer(windows, eager.posts, words, **options)

    def stored():
        # Posts holding a word of the first two trends are kept; others read again.
        return StoredDescriber(lazy.posts, np.arange(len(eager.counts.periods)),
                               dict(zip(story, columns.tolist())), columns[:12], words, **options)

    peaks = [t["peak_day"] for t in trends]
    return memory, stored, story, words, sorted(peaks + [peaks[0] + 1])


def test_stored_posts_describe_stories_as_the_posts_in_memory(copied):
    memory, stored, story, words, peaks = _describers(copied)
    prepared, lazy = stored(), stored()
    prepared.prepare(peaks)
    outside = next(w for w in words if w not in story)
    asked = [[story[0]], [story[6], story[13]], [story[18]], [story[1], outside], [story[25]]]
    rng = np.random.default_rng(1)
    samples = [None] + [np.sort(rng.choice(20, 14, replace=False)) for _ in range(3)]
    n_copies = 0
    for peak in peaks:
        rows, _, _ = memory._distinct_near(peak)
        n_copies += memory.windows.n_posts(peak, WINDOW) - rows.size
        for trend in asked:
            for keep in samples:
                want = memory.words(trend, peak, 8, exclude=story[5:7], keep=keep)
                assert prepared.words(trend, peak, 8, exclude=story[5:7], keep=keep) == want
                assert lazy.words(trend, peak, 8, exclude=story[5:7], keep=keep) == want
                assert prepared.n_told(trend, peak, keep) == memory.n_told(trend, peak, keep)
                # What the words are scored on: distinct posts, and of them
                # those holding each word and those telling the story.
                rows, matrix, totals, told = memory._told(trend, peak, keep)
                n_posts, got, held, got_told = prepared._tallies(trend, peak, keep)
                assert n_posts == rows.size
                assert ((held[got_told].sum(axis=0) == matrix[told].sum(axis=0)).all())
                # Totals of the words of the posts that may tell a story.
                kept = np.unique(held.indices)
                assert (got[kept] == totals[kept]).all()
                assert set(matrix[told].indices.tolist()) <= set(kept.tolist())
    # Copies were counted once, across periods and windows.
    assert n_copies > 0
    said = [memory.words(t, p, 8) for p in peaks for t in asked]
    assert sum(map(len, said)) >= 10


def test_stored_posts_give_the_coherence_of_the_posts_in_memory(copied):
    memory, stored, story, words, peaks = _describers(copied)
    asked = [(story[:4], peaks[0]), (story[2:9], peaks[1]), (story[10:14] + words[:3], peaks[2]),
             ([story[0]], peaks[3]), (story[18:30], peaks[4]), (story[:6], peaks[3])]
    want = [memory.coherence(w, p) for w, p in asked]
    assert np.isfinite(want).sum() >= 4
    np.testing.assert_array_equal(stored().coherences(asked), want)
    one = stored()
    np.testing.assert_array_equal([one.coherence(w, p) for w, p in asked], want)
