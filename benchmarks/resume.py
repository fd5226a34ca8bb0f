"""A notebook's rerun of the model with another penalty, against the whole analysis.

In one process, as a notebook runs it: the whole analysis of the troll file
(``../shared/data/russian_troll_tweets_2016q4``, default options, no
cache), then :func:`glipca.pipeline.resume` from the analysis's ``Series``
with ``alpha`` at 1.5x and 0.75x the penalty chosen, which reruns the
single-peak test, the graphical lasso, GLIPCA, the co-occurrence test, the
stability resamples and the stories, and nothing before them. Prints each
wall time and its ratio to the whole analysis (the acceptance bound is 0.1)
and checks that the rerun equals a whole analysis with that ``alpha``
(``clusters.json`` content) once, with ``--check``.

    python benchmarks/resume.py
    python benchmarks/resume.py --input posts.jsonl --lang en --check
"""

import argparse
import os
import sys
import time
from pathlib import Path

from glipca.pipeline import resume, run_analysis
from glipca.report.document import clusters_document

TROLL = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
         / "russian_troll_tweets_2016q4" / "russian_troll_tweets_2016q4.jsonl")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(TROLL))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--check", action="store_true",
                        help="also run the whole analysis at the new alpha and compare")
    args = parser.parse_args()
    if not Path(args.input).exists():
        sys.exit(f"{args.input}: not found (the shared data sets sit beside the repository)")
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    t0 = time.perf_counter()
    whole = run_analysis(args.input, lang=args.lang, jobs=args.jobs)
    t_whole = time.perf_counter() - t0
    print(f"whole analysis: {t_whole:.2f} s ({len(whole.model.clusters_)} clusters, "
          f"alpha {whole.model.alpha_:.4f}); stages: {whole.timings.line()}", flush=True)
    series = whole.stages.series
    for factor in (1.5, 0.75):
        alpha = round(whole.model.alpha_ * factor, 4)
        options = series.options.replace(alpha=alpha)
        for start, until in (("series", "clusters"), ("series", None), ("trends", None)):
            value = getattr(whole.stages, start)
            t0 = time.perf_counter()
            again = resume(value, options, until=until, jobs=args.jobs)
            took = time.perf_counter() - t0
            model = again.model if until is None else again.model
            print(f"alpha {alpha}: resume from {start} to {until or 'stories'}: {took:.2f} s = "
                  f"{took / t_whole:.3f}x the whole analysis ({len(model.clusters_)} clusters)",
                  flush=True)
        if args.check:
            full = run_analysis(args.input, lang=args.lang, jobs=args.jobs, alpha=alpha)
            again = resume(series, options, jobs=args.jobs)
            same = clusters_document(full) == clusters_document(again)
            print(f"  equals a whole analysis at that alpha: {same}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
