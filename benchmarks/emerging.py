"""Emerging trends on planted corpora cut at a trend's peak day.

For each seed, a 40-day planted corpus (``make_trend_corpus``: 4 trends,
300 to 500 posts a day) is analysed with ``until`` set to each trend's peak
day, two ways:

* the **nominal** peak: the centre of the trend's planted bump
  (``corpus.trends[k]["peak"]``);
* the **realised** peak: the day on which the largest share of the posts
  holds one of the trend's words. The planted rate is the bump times a
  day-to-day jitter shared by the trend's words (lognormal, sigma 0.3), and
  the posts are drawn from it, so the day the trend is largest in the data
  can be a few days off the bump's centre.

Printed per cut: whether the trend is found, whether it is emerging, and
any *other* cluster flagged emerging (an ordinary trend wrongly flagged);
then the totals of each way. Cuts less than 16 days into the corpus are
left out (too few periods before them to analyse).

    python benchmarks/emerging.py                 # seeds 0-11
    python benchmarks/emerging.py --seeds 20 --lang ja
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glipca.datasets import make_trend_corpus  # noqa: E402
from glipca.pipeline import run_analysis  # noqa: E402
from glipca.report.document import clusters_document  # noqa: E402


def trend_of(corpus, cluster):
    """The planted trend most of a cluster's words come from, or -1."""
    ids = [corpus.label_of(w) for w in cluster["words"]]
    best = max(set(ids), key=ids.count)
    return best if 2 * ids.count(best) > len(ids) else -1


def realised_peak(corpus, trend, days, tokens):
    words = set(trend["words"])
    holds = tokens.apply(lambda ws: not words.isdisjoint(ws))
    return holds.groupby(days).mean().idxmax()


def cut(corpus, trend, until, lang):
    doc = clusters_document(run_analysis(corpus.posts, lang=lang, until=until, n_resamples=0,
                                         n_posts=0, jobs=1))
    found = any(trend_of(corpus, c) == trend["id"] for c in doc["clusters"])
    flagged = [trend_of(corpus, c) for c in doc["clusters"] if c.get("emerging")]
    return found, trend["id"] in flagged, [t for t in flagged if t != trend["id"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--lang", default="en", choices=["en", "ja"])
    args = parser.parse_args()
    totals = {"nominal": [0, 0, 0], "realised": [0, 0, 0]}  # found, emerging, others flagged
    for seed in range(args.seeds):
        corpus = make_trend_corpus(lang=args.lang, n_days=40, n_trends=4, n_close_pairs=0,
                                   n_background=100, posts_per_day=(300, 500), seed=seed)
        days = pd.to_datetime(corpus.posts.created_at).dt.strftime("%Y-%m-%d")
        tokens = corpus.posts.text.str.lower().str.split()
        first = pd.Timestamp(corpus.days[0])
        for trend in corpus.trends:
            peaks = {"nominal": trend["peak"], "realised": realised_peak(corpus, trend, days, tokens)}
            line = [f"seed {seed} trend {trend['id']}"]
            for way, day in peaks.items():
                if (pd.Timestamp(day) - first).days < 16:
                    line.append(f"{way} {day}: too early")
                    continue
                found, emerging, others = cut(corpus, trend, day, args.lang)
                t = totals[way]
                t[0] += found
                t[1] += found and emerging
                t[2] += len(others)
                state = "not found" if not found else ("emerging" if emerging else "NOT emerging")
                line.append(f"{way} {day}: {state}" + (f", others flagged {others}" if others else ""))
            print("; ".join(line), flush=True)
    for way, (found, emerging, others) in totals.items():
        print(f"{way} peak: the trend is emerging in {emerging} of the {found} cuts in which it is "
              f"found; other clusters flagged emerging: {others}")


if __name__ == "__main__":
    main()
