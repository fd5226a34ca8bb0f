"""Are the stories what a reader would call stories? Planted truth and the troll file.

Planted corpora (``--planted``, :func:`glipca.datasets.make_trend_corpus`
with same-day stories and a burst of unrelated words, plus a one-word
hashtag), for each language and seed:

* **(a) one story in 3 facets**: three same-day trends, each in posts of its
  own, then about 10 % of each trend's posts given a word of another one
  (:func:`mix_facets`): one story whose clusters are the three trends';
* **(b) 2 same-day stories in disjoint posts**: two stories;
* **(c) a one-word hashtag**: 200 posts on a quiet day hold a new word and
  two of three everyday words (:func:`plant_hashtag`): a story of its own,
  described by the common words;
* no burst word, distractor or background word is a story's trend word,
  and the clusters' ARI against the planted truth.

On the Russian troll tweets (``--troll FILE``, default options): stories,
stories per period, mean coherence, twins (the twin test of
``benchmarks/coherence.py``), the events of ``docs/events.md`` each story
tells (a story peaking within 2 days whose trend words hold one of the
event's words), Castro's death and the recount apart, and how many
coherent stories (coherence >= 0.4) are stable (stability >= 0.5).

Usage::

    python benchmarks/stories.py --troll ../shared/data/russian_troll_tweets_2016q4/russian_troll_tweets_2016q4.jsonl
    python benchmarks/stories.py --planted --lang en ja --seeds 0 1 2 5 6
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coherence import EVENTS, twins  # noqa: E402

#: Acceptance on the troll file.
MAX_TWIN_SHARE = 0.05
MIN_MEAN = 0.5
MIN_STABLE_SHARE = 0.6


def story_items(result):
    """Trend words and peak position of each story."""
    index = result.series.index
    return [(list(s.trend_words), int(index.get_loc(s.peak))) for s in result.told_stories]


def figures(result):
    """Stories, per period, mean coherence, twin share and coherent-and-stable share."""
    told = result.told_stories
    coherence = np.array([s.coherence for s in told], dtype=float)
    stability = np.array([np.nan if s.stability is None else s.stability for s in told])
    coherent = coherence >= 0.4
    has_twin = twins(result.post_windows, story_items(result))
    cluster_twins = twins(result.post_windows, [
        (list(c.words), int(result.series.index.get_loc(c.peak))) for c in result.model.clusters_])
    return {
        "stories": len(told), "clusters": len(result.model.clusters_),
        "periods": len(result.all_series.index),
        "lone": sum(not s.clusters for s in told),
        "mean_coherence": float(np.nanmean(coherence)),
        "twin_share": float(np.mean(has_twin)) if told else 0.0,
        "cluster_twin_share": float(np.mean(cluster_twins)) if cluster_twins else 0.0,
        "stable_share": float(np.mean(stability[coherent] >= 0.5)) if coherent.any() else 1.0,
        "twins": [s.id for s, t in zip(told, has_twin) if t],
    }


def events_told(result):
    """For each event of ``docs/events.md``, the stories that tell it."""
    out = {}
    for name, day, words in EVENTS:
        day = pd.Timestamp(day, tz="UTC")
        out[name] = [s.id for s in result.told_stories
                     if abs((s.peak - day).days) <= 2 and words & set(s.trend_words)]
    return out


def troll(path, check=False, **options):
    from glipca.pipeline import run_analysis

    t0 = time.perf_counter()
    result = run_analysis(path, lang="en", n_posts=0, **options)
    print(f"analysis in {time.perf_counter() - t0:.0f} s")
    f = figures(result)
    told = events_told(result)
    print(f"\n== Russian troll tweets: {f['stories']} stories ({f['lone']} of lone trend words) "
          f"of {f['clusters']} clusters, {f['periods']} periods "
          f"({f['stories'] / f['periods']:.2f} per period)")
    print(f"mean coherence {f['mean_coherence']:.3f}; stories with a twin "
          f"{f['twin_share']:.1%} {f['twins']} (clusters with a twin {f['cluster_twin_share']:.1%}); "
          f"coherent stories (>= 0.4) with stability >= 0.5: {f['stable_share']:.0%}")
    print("\nstories:")
    for s in result.told_stories:
        n = len(s.trend_words)
        print(f"  {s.id:>3} {s.peak:%m-%d} {str(list(s.clusters)):<16} coh {s.coherence:5.2f} "
              f"stab {'-' if s.stability is None else f'{s.stability:.2f}':>4}  {s.label}: "
              f"{' '.join(s.trend_words[:8])}{' ...' if n > 8 else ''} · {' '.join(s.descriptive)}")
    print("\nevents (story ids):")
    for name, ids in told.items():
        print(f"  {name:<32} {ids if ids else 'not told'}")
    fails = []
    if check:
        several = [n for n, ids in told.items() if len(ids) != 1]
        if several:
            fails.append(f"events not told by exactly one story: {', '.join(several)}")
        if set(told["Fidel Castro's death"]) & set(told["Recount petition"]):
            fails.append("Castro's death and the recount are one story")
        if f["stories"] > f["periods"]:
            fails.append(f"{f['stories']} stories > {f['periods']} periods")
        if f["mean_coherence"] < MIN_MEAN:
            fails.append(f"mean coherence {f['mean_coherence']:.3f} < {MIN_MEAN}")
        if f["twin_share"] >= MAX_TWIN_SHARE:
            fails.append(f"{f['twin_share']:.1%} of stories with a twin")
        if f["stable_share"] < MIN_STABLE_SHARE:
            fails.append(f"{f['stable_share']:.0%} of coherent stories stable")
    return fails


# -- planted truth ---------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def _words_of(text, lang, tokenizer):
    return set(tokenizer(text)) if lang == "ja" else set(_TOKEN.findall(text.lower()))


def mix_facets(corpus, share=0.1, seed=0):
    """``corpus.posts`` with ``share`` of each same-day trend's posts given a word of another."""
    from glipca.tokens import make_tokenizer

    rng = np.random.default_rng(seed)
    tokenizer = make_tokenizer(corpus.lang)
    facets = [t["words"] for t in corpus.trends if t["id"] in corpus.same_day]
    posts = corpus.posts.copy()
    texts = posts["text"].tolist()
    held = [_words_of(t, corpus.lang, tokenizer) for t in texts]
    for i, words in enumerate(facets):
        mine = [r for r, h in enumerate(held) if h & set(words)]
        others = [w for j, ws in enumerate(facets) if j != i for w in ws]
        for r in rng.choice(mine, size=int(round(share * len(mine))), replace=False):
            extra = others[rng.integers(len(others))]
            texts[r] = (texts[r] + "と" + extra) if corpus.lang == "ja" else \
                f"{texts[r].rstrip('.')} and the {extra}."
    posts["text"] = texts
    return posts


#: Words that tell the hashtag's story, planted as everyday words.
CONTEXT = {"en": ["women", "march", "washington"], "ja": ["女性", "行進", "首都"]}


def plant_hashtag(corpus, posts, tag, n=200, share=0.03, seed=0):
    """``posts`` with a one-word hashtag.

    ``n`` more posts on the burst day hold ``tag``, two of three context
    words and two background words; one such post comes every fourth day
    (a word seen on several days). The context words are also in
    ``share`` of all posts every day, so that they are everyday words
    that the hashtag's posts use more (as "women" and "march" for
    "womensmarch").
    """
    rng = np.random.default_rng(seed)
    context = CONTEXT[corpus.lang]
    burst = pd.Timestamp(corpus.burst_day)
    days = [burst] * n + [pd.Timestamp(d) for d in corpus.days[::4] if pd.Timestamp(d) != burst]
    join = "と" if corpus.lang == "ja" else " and the "
    rows = []
    for i, day in enumerate(days):
        words = [tag, *rng.choice(context, size=2, replace=False),
                 *rng.choice(corpus.background_words[10:], size=2, replace=False)]
        rng.shuffle(words)
        text = (join.join(words) + "。") if corpus.lang == "ja" else \
            (join.join(words).capitalize() + ".")
        stamp = (day + pd.Timedelta(hours=10 + 12 * (i % n) / n)).strftime("%Y-%m-%dT%H:%M:%S")
        rows.append({"id": 10_000_000 + i, "created_at": stamp + (
            "+09:00" if corpus.lang == "ja" else "+00:00"), "text": text})
    posts = posts.copy()
    everyday = rng.random(len(posts)) < share
    extra = rng.choice(context, size=int(everyday.sum()))
    posts.loc[everyday, "text"] = [t + join.strip() + w if corpus.lang == "ja" else
                                   f"{t.rstrip('.')} and the {w}."
                                   for t, w in zip(posts.loc[everyday, "text"], extra)]
    return pd.concat([posts, pd.DataFrame(rows)], ignore_index=True)


def planted_case(lang, seed, same_day, hashtag=None, **options):
    """Stories of one planted corpus, scored against what was planted."""
    from glipca.datasets import make_trend_corpus
    from glipca.evaluation import score_clusters
    from glipca.pipeline import run_analysis

    corpus = make_trend_corpus(lang=lang, seed=seed, n_trends=6, n_close_pairs=1,
                               posts_per_day=(800, 1200), same_day=same_day, n_burst=12)
    posts = mix_facets(corpus, seed=seed) if same_day == 3 else corpus.posts
    if hashtag:
        posts = plant_hashtag(corpus, posts, hashtag, seed=seed)
    result = run_analysis(posts, lang=lang, n_resamples=0, n_posts=0, jobs=1, **options)
    story_of = {c: s.id for s in result.told_stories for c in s.clusters}
    same = [t for t in corpus.trends if t["id"] in corpus.same_day]
    clusters = [next((k for k, c in enumerate(result.model.clusters_)
                      if set(c.words) & set(t["words"])), None) for t in same]
    allowed = {w for t in corpus.trends for w in t["words"]} | set(corpus.shared_words) | (
        {hashtag, *CONTEXT[lang]} if hashtag else set())
    strays = sorted({w for s in result.told_stories for w in s.trend_words} - allowed)
    lone = [s for s in result.told_stories if hashtag in s.trend_words] if hashtag else []
    return {
        "ari": score_clusters(result.clusters, corpus)["ari"],
        "stories": [story_of.get(k) for k in clusters],
        "facets": [len(result.told_stories[story_of[k]].clusters) if k in story_of else 0
                   for k in clusters],
        "strays": strays,
        "hashtag": [f"{' '.join(s.trend_words)} · {' '.join(s.descriptive)}" for s in lone],
        "n_stories": len(result.told_stories), "n_clusters": len(result.clusters),
    }


def planted(langs, seeds, **options):
    fails = []
    tags = {"en": "womensmarch", "ja": "女性行進"}
    for lang in langs:
        for seed in seeds:
            a = planted_case(lang, seed, 3, hashtag=tags[lang], **options)
            b = planted_case(lang, seed, 2, **options)
            one = len(set(a["stories"])) == 1 and None not in a["stories"] and a["facets"][0] == 3
            two = len(set(b["stories"])) == 2 and None not in b["stories"]
            hashtag = len(a["hashtag"]) == 1
            print(f"{lang} seed {seed}: (a) 3 facets -> stories {a['stories']} "
                  f"{'one story of 3 clusters' if one else 'NOT ONE STORY OF 3'}; "
                  f"(b) 2 same-day -> {b['stories']} {'2 stories' if two else 'NOT 2 STORIES'}; "
                  f"(c) {a['hashtag'] or 'hashtag NOT A STORY'}; strays {a['strays'] + b['strays']}; "
                  f"ARI {a['ari']:.3f} / {b['ari']:.3f}; "
                  f"{a['n_stories']} stories of {a['n_clusters']} clusters / "
                  f"{b['n_stories']} of {b['n_clusters']}")
            if not (one and two and hashtag) or a["strays"] or b["strays"]:
                fails.append(f"{lang} seed {seed}")
    return fails


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--troll", type=Path, help="the full Russian troll tweets file")
    parser.add_argument("--planted", action="store_true", help="run on planted corpora")
    parser.add_argument("--lang", nargs="+", default=["en", "ja"], choices=["en", "ja"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--threshold", type=float, default=None,
                        help="story_threshold (default: the default option's)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless the troll file meets the acceptance figures")
    args = parser.parse_args(argv)
    if not args.troll and not args.planted:
        parser.error("give --troll FILE and/or --planted")
    fails = []
    options = {} if args.threshold is None else {"story_threshold": args.threshold}
    if args.planted:
        fails += planted(args.lang, args.seeds, **options)
    if args.troll:
        fails += troll(args.troll, check=args.check, **options)
    if fails:
        print("\nFAILED:\n  " + "\n  ".join(fails))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
