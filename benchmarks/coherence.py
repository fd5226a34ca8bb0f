"""Do trend clusters read as stories? Coherence and events, method by method.

A cluster's coherence is the mean NPMI of the pairs of its first 10 words,
with co-occurrence counted per post in the posts of its peak period +- 3
periods, and -1 for a pair that never shares a post (Bouma 2009; Lau,
Newman & Baldwin 2014; :func:`glipca.model.cooccurrence.coherence`).

Methods, all on the same candidate words of one analysis:

* ``series only``: GLIPCA as in the paper (``cooccurrence=False``);
* ``GLIPCA + posts``: the default, GLIPCA whose proposed clusters keep only
  the groups of words that share posts (``docs/method.md``);
* the baselines of ``benchmarks/baselines.py`` (k-means, average linkage
  and k-Shape given as many clusters as the series-only method finds,
  correlation components, plain iterative PCA). Their clusters' words are
  ranked, and their peaks placed, as GLIPCA ranks and places its own (by
  loading on the leading component).

On the Russian troll tweets (``--troll``), the events of ``docs/events.md``
are looked up: an event is *found* when a cluster peaking within 2 days of
it holds one of its words, and *told* when that cluster's label (the words
its posts use together, :func:`glipca.model.labels.cluster_label`) holds
one. On planted corpora (``--planted``) the ARI against the planted truth is
given beside the coherence. Every row ends with its difference from the
series-only method measured in the same run.

Usage::

    python benchmarks/coherence.py --troll ../shared/data/russian_troll_tweets_2016q4/russian_troll_tweets_2016q4.jsonl
    python benchmarks/coherence.py --planted --lang en ja --seeds 2 --same-day 3 --burst 12
    python benchmarks/coherence.py --troll FILE --check   # the acceptance figures
    python benchmarks/coherence.py --troll FILE --variants  # settings of the step
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import BASELINES, run_baselines  # noqa: E402

from glipca.model.cluster import GLIPCA  # noqa: E402
from glipca.model.cluster.spectral import ranked_by_loading, signal_of  # noqa: E402
from glipca.model.cooccurrence import coherence  # noqa: E402
from glipca.model.labels import cluster_label  # noqa: E402
from glipca.tokens import make_tokenizer  # noqa: E402

#: Events of docs/events.md: name, day (UTC) and the words that name it.
EVENTS = [
    ("Trump's tax returns (NYT)", "2016-10-02", {"tax", "returns"}),
    ("Vice-presidential debate", "2016-10-05", {"kaine", "vp", "pence"}),
    ("Hurricane Matthew", "2016-10-07", {"hurricanematthew", "hurricane", "matthew"}),
    # The tape (with NBC's suspension of Billy Bush, 10-10), WikiLeaks'
    # Podesta e-mails of the same day and the "rapist" heckling of Bill
    # Clinton before the second debate were one row until the stories
    # showed posts that keep the tape apart from the other two.
    ("Access Hollywood tape", "2016-10-08", {"tape", "billy"}),
    ("WikiLeaks' Podesta e-mails", "2016-10-08", {"podestaemails"}),
    ("Bill Clinton heckled as a rapist", "2016-10-09", {"rapist"}),
    ("Ken Bone", "2016-10-11", {"bone", "ken"}),
    ("Third debate, 'nasty woman'", "2016-10-20", {"debatenight", "nasty"}),
    ("Megyn Kelly and Gingrich", "2016-10-26", {"kelly", "megyn"}),
    ("Weiner's laptop", "2016-10-29", {"anthony", "weiner", "huma", "abedin"}),
    ("Comey's letter", "2016-10-29", {"fbi", "emails", "email", "investigation"}),
    ("Cubs win the World Series", "2016-11-03", {"cubs"}),
    ("Election day", "2016-11-08", {"vote", "electionday", "voting", "polling"}),
    ("Election night", "2016-11-09", {"electionnight"}),
    ("Anti-Trump protests", "2016-11-10", {"notmypresident", "protests", "protesting",
                                           "trumpprotest", "anti-trump"}),
    ("Veterans Day", "2016-11-11", {"veterans", "veteransday"}),
    ("Bannon named strategist", "2016-11-14", {"bannon"}),
    ("Sessions for Attorney General", "2016-11-18", {"sessions"}),
    ("Pence at Hamilton", "2016-11-20", {"hamilton"}),
    ("Thanksgiving", "2016-11-24", {"thanksgiving", "thankful"}),
    ("Black Friday", "2016-11-25", {"friday", "shopping"}),
    ("Fidel Castro's death", "2016-11-26", {"castro", "fidel"}),
    ("Recount petition", "2016-11-26", {"recount", "stein"}),
    ("Christmas shopping", "2016-11-28", {"christmas", "xmas", "santa"}),
    ("Flag burning tweet", "2016-11-29", {"flag", "burn"}),
]

#: Acceptance on the troll file, default options.
MIN_MEAN = 0.35
MAX_SHARE_BELOW = 0.15
MAX_CLUSTERS = 80


def describe(clusters, series, posts, tokenizer=None):
    """Peak, coherence, label and posts sharing words, per cluster (lists of words)."""
    z = np.asarray(series, dtype=float)
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    corr = (z.T @ z) / len(z)
    column = {w: j for j, w in enumerate(series.columns)}
    out = []
    for words in clusters:
        members, loadings, _ = ranked_by_loading(corr, np.array([column[w] for w in words]))
        ranked = [series.columns[i] for i in members]
        peak = int(np.argmax(signal_of(z, members, loadings)))
        score, n_cooccur = coherence(posts, ranked, peak)
        out.append({"words": ranked, "peak": series.index[peak], "coherence": score,
                    "n_posts_cooccur": n_cooccur,
                    "label": cluster_label(posts, ranked, peak, tokenizer=tokenizer)})
    return out


#: Twins: two clusters (or stories) peaking within this many periods whose
#: words share posts, by the mean NPMI of their cross pairs, at least this much.
TWIN_DAYS = 1
TWIN_NPMI = 0.2


def twins(posts, items, *, window=3, top=10):
    """Which items have a twin: another peaking within a day whose words share posts.

    Two items (clusters or stories: lists of words and a peak position)
    are twins when their peaks are at most ``TWIN_DAYS`` periods apart and
    the mean NPMI of the pairs of their first ``top`` words, one from each
    (a pair sharing no post scoring -1), counted in the posts within
    ``window`` periods of the middle of their peaks, is at least
    ``TWIN_NPMI``: one story told twice.

    Parameters
    ----------
    posts : PostWindows
    items : list of (list of str, int)

    Returns
    -------
    list of bool
    """
    from glipca.model.cooccurrence import npmi

    has = [False] * len(items)
    for a, (wa, pa) in enumerate(items):
        for b in range(a + 1, len(items)):
            wb, pb = items[b]
            if abs(pa - pb) > TWIN_DAYS:
                continue
            first_a = [w for w in wa[:top] if w not in wb[:top]]
            first_b = [w for w in wb[:top] if w not in wa[:top]]
            if not first_a or not first_b:
                continue
            n_posts, counts = posts.counts(first_a + first_b, (pa + pb) // 2, window)
            cross = npmi(counts, n_posts)[:len(first_a), len(first_a):]
            if cross.mean() >= TWIN_NPMI:
                has[a] = has[b] = True
    return has


def summarise(described):
    scores = np.array([d["coherence"] for d in described], dtype=float)
    return {
        "clusters": len(described),
        "mean": float(np.nanmean(scores)) if scores.size else float("nan"),
        "below_0.1": float(np.mean(scores < 0.1)) if scores.size else float("nan"),
        "no_shared_post": float(np.mean([d["n_posts_cooccur"] == 0 for d in described]))
        if described else float("nan"),
    }


def events(described):
    """Events found (a cluster near the date holds one of its words) and told (its label does)."""
    import pandas as pd

    rows = {}
    for name, day, words in EVENTS:
        day = pd.Timestamp(day, tz="UTC")
        near = [(i, d) for i, d in enumerate(described)
                if abs((d["peak"] - day).days) <= 2 and words & set(d["words"])]
        rows[name] = {
            "found": [i for i, _ in near],
            "told": [i for i, d in near if words & set(d["label"].split())],
        }
    return rows


def _methods(result, k=None):
    """Clusters of every method on the analysis' candidate words.

    Baselines that need a number of clusters get ``k``, by default as many
    as the series-only method finds.
    """
    # The candidate words; ``result.series`` also holds the words that
    # joined a story through its posts (docs/method.md, section 6).
    series = result.series[result.model.words_]
    plain = GLIPCA(**result.model.get_params()).fit(series)
    methods = {"series only": [c.words for c in plain.clusters_],
               "GLIPCA + posts": [c.words for c in result.model.clusters_]}
    k = k or len(methods["series only"])
    for name, clusters in run_baselines(series, k, methods=BASELINES).items():
        if not isinstance(clusters, str):
            methods[name] = [c for c in clusters if len(c) >= 2]
    return methods, k


def _table(rows, extra=()):
    head = f"{'method':<26}{'clusters':>9}{'mean':>8}{'<0.1':>7}{'no post':>9}" + "".join(
        f"{e:>9}" for e in extra) + f"{'mean vs series':>16}"
    lines = [head]
    ref = rows["series only"]["mean"]
    for name, r in rows.items():
        line = (f"{name:<26}{r['clusters']:>9d}{r['mean']:>8.3f}{r['below_0.1']:>7.0%}"
                f"{r['no_shared_post']:>9.0%}")
        line += "".join(f"{r[e]:>9}" for e in extra)
        line += f"{r['mean'] - ref:>+16.3f}"
        lines.append(line)
    return "\n".join(lines)


def troll(path, check=False):
    from glipca.pipeline import run_analysis

    t0 = time.perf_counter()
    result = run_analysis(path, lang="en", n_resamples=0, n_posts=0)
    print(f"analysis (GLIPCA + posts) in {time.perf_counter() - t0:.0f} s: "
          f"{len(result.model.words_)} candidate words")
    tokenizer = make_tokenizer("en")
    methods, k = _methods(result)
    rows, found = {}, {}
    for name, clusters in methods.items():
        described = describe(clusters, result.series, result.post_windows, tokenizer)
        rows[name] = summarise(described)
        ev = events(described)
        rows[name]["found"] = f"{sum(bool(e['found']) for e in ev.values())}/{len(EVENTS)}"
        rows[name]["told"] = f"{sum(bool(e['told']) for e in ev.values())}/{len(EVENTS)}"
        found[name] = (ev, described)
    print(f"\n== Russian troll tweets ({path}), baselines given k = {k}")
    print(_table(rows, extra=("found", "told")))
    ev, described = found["GLIPCA + posts"]
    print("\nevents, GLIPCA + posts (cluster id: label):")
    for name, e in ev.items():
        shown = "; ".join(f"{i}: {described[i]['label']}" for i in e["found"]) or "not found"
        print(f"  {name:<32} {shown}")
    fails = []
    if check:
        r = rows["GLIPCA + posts"]
        if r["mean"] < MIN_MEAN:
            fails.append(f"mean coherence {r['mean']:.3f} < {MIN_MEAN}")
        if r["below_0.1"] > MAX_SHARE_BELOW:
            fails.append(f"{r['below_0.1']:.0%} of clusters below 0.1")
        if r["clusters"] > MAX_CLUSTERS:
            fails.append(f"{r['clusters']} clusters > {MAX_CLUSTERS}")
        castro, recount = ev["Fidel Castro's death"]["found"], ev["Recount petition"]["found"]
        if not castro or not recount or set(castro) & set(recount):
            fails.append("Castro's death and the recount are not two clusters")
        lost = [n for n, e in ev.items() if not e["found"]]
        if lost:
            fails.append(f"events not found: {', '.join(lost)}")
    return fails


#: Settings of the co-occurrence step compared by ``--variants`` (docs/method.md).
VARIANTS = {
    "default": {},
    "min_posts 3": {"min_posts": 3},
    "min_posts 10": {"min_posts": 10},
    "copies not told apart": {"copies": False},
    "no orphans regrouped": {"peak_window": -1},
    "peak_window 0": {"peak_window": 0},
    "peak_window 2": {"peak_window": 2},
    "no episodes": {"episode_z": None},
    "episode_z 30": {"episode_z": 30.0},
}


def variants(path):
    """Clusters, coherence and events on the troll file for each of :data:`VARIANTS`."""
    from glipca.model.cooccurrence import CooccurrenceSplit, PostWindows
    from glipca.pipeline import run_analysis

    tokenizer = make_tokenizer("en")
    rows = {}
    for name, settings in VARIANTS.items():
        settings = dict(settings)
        copies = settings.pop("copies", True)
        test = CooccurrenceSplit(**settings)
        if not copies:
            test = _without_copies(test, PostWindows)
        result = run_analysis(path, lang="en", n_resamples=0, n_posts=0, cooccurrence=test)
        described = describe([c.words for c in result.model.clusters_], result.series,
                             result.post_windows, tokenizer)
        rows[name] = summarise(described)
        ev = events(described)
        rows[name]["found"] = f"{sum(bool(e['found']) for e in ev.values())}/{len(EVENTS)}"
        rows[name]["lost"] = ", ".join(n for n, e in ev.items() if not e["found"]) or "-"
    print(f"\n== co-occurrence settings, Russian troll tweets ({path})")
    print(f"{'settings':<24}{'clusters':>9}{'mean':>8}{'<0.1':>7}{'found':>7}  lost")
    for name, r in rows.items():
        print(f"{name:<24}{r['clusters']:>9d}{r['mean']:>8.3f}{r['below_0.1']:>7.0%}"
              f"{r['found']:>7}  {r['lost']}")


def _without_copies(test, windows_class):
    """``test`` counting every post as distinct (copies of one post too)."""
    import dataclasses

    class EveryPost(type(test)):
        def is_story(self, posts, words, peak):
            plain = windows_class(posts.periods, posts.matrix, list(posts.column))
            return super().is_story(plain, words, peak)

    return EveryPost(**dataclasses.asdict(test))


def planted(langs, seeds, corpus_kwargs=None):
    from glipca.datasets import make_trend_corpus
    from glipca.evaluation import score_clusters
    from glipca.pipeline import run_analysis

    for lang in langs:
        for seed in seeds:
            corpus = make_trend_corpus(lang=lang, seed=seed, **(corpus_kwargs or {}))
            result = run_analysis(corpus.posts, lang=lang, n_resamples=0, n_posts=0)
            methods, _ = _methods(result, k=len(corpus.trends))
            rows = {}
            for name, clusters in methods.items():
                rows[name] = summarise(describe(clusters, result.series, result.post_windows))
                rows[name]["ARI"] = f"{score_clusters(clusters, corpus)['ari']:.3f}"
            print(f"\n== planted, {lang}, seed {seed}")
            print(_table(rows, extra=("ARI",)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--troll", type=Path, help="the full Russian troll tweets file")
    parser.add_argument("--planted", action="store_true", help="run on planted corpora")
    parser.add_argument("--lang", nargs="+", default=["en", "ja"], choices=["en", "ja"])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--same-day", type=int, default=0, choices=[0, 2, 3],
                        help="planted corpora also hold this many stories peaking on one day")
    parser.add_argument("--burst", type=int, default=0,
                        help="planted corpora also hold this many burst words")
    parser.add_argument("--variants", action="store_true",
                        help="with --troll: compare settings of the co-occurrence step")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless the troll file meets the acceptance figures "
                             "(planted corpora are checked by benchmarks/accuracy.py)")
    args = parser.parse_args(argv)
    if not args.troll and not args.planted:
        parser.error("give --troll FILE and/or --planted")
    fails = []
    if args.troll and args.variants:
        variants(args.troll)
    elif args.troll:
        fails += troll(args.troll, check=args.check)
    if args.planted:
        extra = dict(same_day=args.same_day, n_burst=args.burst)
        planted(args.lang, range(args.seeds), extra)
    if args.check:
        if fails:
            print("\nACCEPTANCE CHECK FAILED:\n  " + "\n  ".join(fails))
            return 1
        print("\nacceptance check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
