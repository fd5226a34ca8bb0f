"""Accuracy of GLIPCA and of baselines on planted-truth corpora.

For each language and seed, a corpus is generated with
:func:`glipca.datasets.make_trend_corpus`, the whole analysis is run on it
(:func:`glipca.pipeline.run_analysis`), and GLIPCA's clusters and those of
the baselines (:mod:`baselines`, on the same candidate series) are scored
with :func:`glipca.evaluation.score_clusters`.

Usage::

    python benchmarks/accuracy.py                 # en and ja, seeds 0-2
    python benchmarks/accuracy.py --lang en --seeds 5 --check
    python benchmarks/accuracy.py --json accuracy.json
    python benchmarks/accuracy.py --same-day 3 --burst 12 --check
    python benchmarks/accuracy.py --same-day 2 --facets 3 --hashtag 200 --check

With ``--same-day N`` every corpus also plants N trends that peak on the
same day in disjoint posts, and with ``--burst N`` N words that spike on one
day each in posts of their own (:mod:`glipca.datasets.stories`). With
``--facets N`` a story is told in N facets (trends peaking within a day,
about 10 % of their posts mixing two facets), and with ``--hashtag P`` a
one-word trend has P posts on its peak day; the run says whether the
hashtag reached the candidates (the graph) and a cluster.

"GLIPCA" is the default analysis, whose clusters keep only words that share
posts; "GLIPCA series only" is the method of the paper (``cooccurrence=False``)
on the same candidate words.

With ``--check`` the exit status is 1 unless, on every corpus, GLIPCA has
ARI >= 0.95, recovers all trends, splits every close pair and every set of
same-day stories, puts at most 2 non-trend words in clusters, and every
baseline has a lower ARI (the ablations "GLIPCA without graph" and "GLIPCA
series only" are reported but not checked).

A seed plants the same structure in both languages (only the words differ),
so GLIPCA's scores should agree across languages; the run says whether they
do, as a check on tokenisation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import ABLATIONS, BASELINES, run_baselines  # noqa: E402

from glipca.datasets import make_trend_corpus  # noqa: E402
from glipca.evaluation import score_clusters  # noqa: E402
from glipca.model.cluster import GLIPCA  # noqa: E402

MIN_ARI = 0.95
MAX_DISTRACTORS = 2
COLUMNS = ("ARI", "purity", "recovered", "pairs split", "same day",
           "distractors", "clusters", "time s")


def candidates_summary(series, corpus):
    """What passed the single-peak test, by planted kind."""
    kinds = {}
    for w in series.columns:
        kind = corpus.kind_of(w) or "unplanted"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def evaluate(lang, seed, corpus_kwargs=None):
    """Scores of GLIPCA and every baseline on one generated corpus."""
    from glipca.pipeline import run_analysis

    corpus = make_trend_corpus(lang=lang, seed=seed, **(corpus_kwargs or {}))
    t0 = time.perf_counter()
    res = run_analysis(corpus.posts, lang=lang)
    elapsed = {"GLIPCA": time.perf_counter() - t0}
    methods = {"GLIPCA": res.clusters}
    # The candidate words: ``res.series`` also holds words that joined a
    # story through its posts (docs/method.md, section 6).
    series = res.series[res.model.words_]
    t0 = time.perf_counter()
    plain = GLIPCA(**res.model.get_params()).fit(series)
    methods["GLIPCA series only"] = [c.words for c in plain.clusters_]
    elapsed["GLIPCA series only"] = time.perf_counter() - t0
    n_trends = len(corpus.trends)
    for name, fn in {**BASELINES, **ABLATIONS}.items():
        t0 = time.perf_counter()
        methods.update(run_baselines(series, n_trends, seed=seed,
                                     methods={name: fn}))
        elapsed[name] = time.perf_counter() - t0
    rows = {}
    for name, clusters in methods.items():
        if isinstance(clusters, str):
            rows[name] = {"skipped": clusters}
            continue
        rows[name] = score_clusters(clusters, corpus)
        rows[name]["time_s"] = elapsed[name]
    one_word = {o["word"]: {"candidate": o["word"] in res.stages.trends.words,
                            "in_cluster": any(o["word"] in c for c in res.clusters)}
                for o in corpus.one_word}
    return {
        "lang": lang, "seed": seed, "posts": len(corpus.posts), "one_word": one_word,
        "candidates": candidates_summary(series, corpus),
        "trend_words": len(corpus.truth),
        "alpha": float(getattr(res.model, "alpha_", np.nan)),
        "methods": rows,
    }


def _num(x):
    return f"{x:d}" if isinstance(x, int) else f"{x:.2f}"


def _cells(s, n_trends):
    split, same = s["close_pairs_split"], s.get("same_day_split")
    return (f"{s['ari']:.3f}", f"{s['purity']:.3f}",
            f"{_num(s['trends_recovered'])}/{n_trends}",
            "-" if split is None else f"{split:.2f}",
            "-" if same is None else f"{float(same):.2f}",
            _num(s["distractors_in_clusters"]), _num(s["n_clusters"]),
            f"{s['time_s']:.2f}")


def format_table(rows, n_trends):
    """Plain-text table: one line per method."""
    width = max(len(n) for n in rows) + 2
    lines = [f"{'method':<{width}}" + "".join(f"{c:>13}" for c in COLUMNS)]
    for name, s in rows.items():
        if "skipped" in s:
            lines.append(f"{name:<{width}}  ({s['skipped']})")
        else:
            lines.append(f"{name:<{width}}"
                         + "".join(f"{c:>13}" for c in _cells(s, n_trends)))
    return "\n".join(lines)


def mean_rows(results):
    """Mean of every score over corpora, per method (skipped runs left out)."""
    keys = ("ari", "purity", "trends_recovered", "close_pairs_split", "same_day_split",
            "distractors_in_clusters", "n_clusters", "time_s")
    out = {}
    for name in results[0]["methods"]:
        runs = [r["methods"][name] for r in results
                if "skipped" not in r["methods"][name]]
        if not runs:
            out[name] = results[0]["methods"][name]
            continue
        out[name] = {}
        for k in keys:
            vals = [r[k] for r in runs if r.get(k) is not None]
            out[name][k] = float(np.mean(vals)) if vals else None
    return out


def check(result):
    """Failed acceptance conditions on one corpus, as messages."""
    g = result["methods"]["GLIPCA"]
    where = f"{result['lang']} seed {result['seed']}"
    fails = []
    if g["ari"] < MIN_ARI:
        fails.append(f"{where}: GLIPCA ARI {g['ari']:.3f} < {MIN_ARI}")
    if not g["all_trends_recovered"]:
        fails.append(f"{where}: GLIPCA recovered {g['trends_recovered']} of "
                     f"{g['n_trends']} trends")
    if g["close_pairs_split"] is not None and g["close_pairs_split"] < 1:
        fails.append(f"{where}: GLIPCA split {g['close_pairs_split']:.0%} of "
                     "the close pairs")
    if g.get("same_day_split") is False:
        fails.append(f"{where}: GLIPCA did not split the same-day stories")
    if g["distractors_in_clusters"] > MAX_DISTRACTORS:
        fails.append(f"{where}: GLIPCA put {g['distractors_in_clusters']} "
                     f"non-trend words in clusters {g['distractors_by_kind']}")
    for name in BASELINES:
        s = result["methods"][name]
        if "skipped" not in s and s["ari"] >= g["ari"]:
            fails.append(f"{where}: {name} ARI {s['ari']:.3f} >= GLIPCA's "
                         f"{g['ari']:.3f}")
    return fails


def _warm_up():
    """Compile tslearn's numba kernels before anything is timed."""
    import pandas as pd

    from baselines import kshape

    rng = np.random.default_rng(0)
    try:
        kshape(pd.DataFrame(rng.random((20, 6))), 2)
    except ImportError:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", nargs="+", default=["en", "ja"],
                        choices=["en", "ja"])
    parser.add_argument("--seeds", type=int, default=3,
                        help="number of corpora per language (seeds 0..N-1)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if an acceptance condition fails")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds run from here (use fresh seeds for data not tuned on)")
    parser.add_argument("--posts-per-day", type=int, nargs=2, metavar=("FIRST", "LAST"),
                        help="daily volume at the window's start and end (default: the generator's)")
    parser.add_argument("--same-day", type=int, default=0, choices=[0, 2, 3],
                        help="also plant this many stories peaking on one day")
    parser.add_argument("--burst", type=int, default=0,
                        help="also plant this many words spiking on one day in their own posts")
    parser.add_argument("--facets", type=int, default=0, choices=[0, 2, 3, 4],
                        help="also plant a story told in this many facets")
    parser.add_argument("--hashtag", type=int, default=0,
                        help="also plant a one-word trend with this many posts at its peak")
    parser.add_argument("--json", type=Path, help="write all scores here")
    args = parser.parse_args(argv)
    corpus_kwargs = {}
    if args.same_day or args.burst:
        corpus_kwargs.update(same_day=args.same_day, n_burst=args.burst)
    if args.facets or args.hashtag:
        corpus_kwargs.update(facets=args.facets, hashtag=args.hashtag)
    if args.posts_per_day:
        corpus_kwargs["posts_per_day"] = tuple(args.posts_per_day)
    seeds = range(args.first_seed, args.first_seed + args.seeds)

    _warm_up()
    results = []
    for lang in args.lang:
        for seed in seeds:
            r = evaluate(lang, seed, corpus_kwargs)
            results.append(r)
            n_trends = r["methods"]["GLIPCA"]["n_trends"]
            print(f"\n== {lang}, seed {seed}: {r['posts']} posts, "
                  f"candidates {r['candidates']} "
                  f"(of {r['trend_words']} trend words), alpha {r['alpha']:.3g}"
                  + (f", one-word trends {r['one_word']}" if r["one_word"] else ""))
            print(format_table(r["methods"], n_trends))
    for lang in args.lang:
        sub = [r for r in results if r["lang"] == lang]
        n_trends = sub[0]["methods"]["GLIPCA"]["n_trends"]
        print(f"\n== mean over {len(sub)} {lang} corpora")
        print(format_table(mean_rows(sub), n_trends))
    if len(args.lang) > 1:
        print(f"\n== mean over all {len(results)} corpora")
        print(format_table(mean_rows(results), n_trends))
    if len(args.lang) > 1:
        # A seed plants the same structure in both languages, so GLIPCA
        # should score the same: a difference points at tokenisation.
        g = {(r["lang"], r["seed"]): r["methods"]["GLIPCA"] for r in results}
        differ = [s for s in seeds
                  if len({json.dumps({k: v for k, v in g[(lang, s)].items()
                                      if k != "time_s"}, sort_keys=True)
                          for lang in args.lang}) > 1]
        print("\nSame seed, other language (same planted structure): GLIPCA "
              + (f"scores differ for seeds {differ}" if differ
                 else "scores are identical"))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))

    if args.check:
        fails = [f for r in results for f in check(r)]
        if fails:
            print("\nACCEPTANCE CHECK FAILED:\n  " + "\n  ".join(fails))
            return 1
        print("\nacceptance check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
