"""Candidates by burst on a large corpus: a rare bursty word is found.

Generates ``make_trend_corpus(rare_burst=300, hashtag=200, n_tail=...)`` at
about ``--posts`` posts (English, 61 days), counts it (word-count cache),
then times the series stage (the vocabulary: the ``max_words`` most frequent
words, and the burst words that pass the pre-screen) and the single-peak
test, with candidates by burst and with the volume vocabulary alone, and
reports

* the rare word's rank by volume and its posts on its peak day;
* whether it is tested, passes, and is a candidate (under the graph-size
  limit), and the same for the hashtag;
* words with a burst period, pre-screened, tested; the pre-screen's share;
* times and the peak resident memory of the process.

    python benchmarks/bursts.py --posts 1000000 --tail 5200
"""

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from glipca.counting.options import count_options
from glipca.counting.stage import count_posts
from glipca.datasets import make_trend_corpus
from glipca.model.options import ModelOptions
from glipca.model.trends import find_trends
from glipca.model.word_series import word_series


def _rank(counts, word):
    total = counts.total()
    words = np.asarray(counts.words, dtype=object)
    order = np.lexsort((words, -total))
    return int(np.flatnonzero(words[order] == word)[0]) + 1


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _found(trends, word):
    tested = word in trends.tests.index
    return {"tested": tested,
            "passes": bool(tested and trends.tests.loc[word, "is_trend"]),
            "candidate": word in trends.words,
            "z": float(trends.tests.loc[word, "z"]) if tested else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--tail", type=int, default=5200, help="made-up tail words")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cache", default=None, help="word-count cache folder")
    args = ap.parse_args()
    per_day = args.posts / 61
    start = time.perf_counter()
    corpus = make_trend_corpus(lang="en", posts_per_day=(0.8 * per_day, 1.2 * per_day),
                               rare_burst=300, hashtag=200, n_tail=args.tail, seed=args.seed)
    generated = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        path = corpus.write_jsonl(Path(tmp) / "posts.jsonl")
        counted, counting = _timed(count_posts, str(path), count_options(lang="en"),
                                   jobs=args.jobs, cache=args.cache or True)
    out = {"posts": int(len(corpus.posts)), "words": int(len(counted.counts.words)),
           "generate_s": round(generated, 1), "count_s": round(counting, 1)}
    rare = next(o for o in corpus.one_word if o["kind"] == "rare")
    tag = next(o for o in corpus.one_word if o["kind"] == "hashtag")
    on_day = corpus.posts.created_at.str[:10] == rare["peak"]
    out["rare"] = {"word": rare["word"], "rank": _rank(counted.counts, rare["word"]),
                   "posts_on_peak_day": int(corpus.posts.text[on_day].str.contains(
                       rf"\b{rare['word']}\b", case=False).sum())}
    for name, options in (("volume", ModelOptions(min_peak_count=None)), ("burst", ModelOptions())):
        series, t_series = _timed(word_series, counted, options)
        trends, t_test = _timed(find_trends, series, options)
        out[name] = {"series_s": round(t_series, 2), "test_s": round(t_test, 2),
                     "vocabulary": series.frequencies.attrs.get("vocabulary"),
                     "tested": int(series.frequencies.shape[1]),
                     "passed": int(trends.tests["is_trend"].sum()),
                     "candidates": len(trends.words),
                     "rare": _found(trends, rare["word"]), "hashtag": _found(trends, tag["word"])}
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
