"""Benchmark the path from post files to word counts against a floor.

On the same posts, in one run:

* **floor**: a bare loop of ``json.loads`` on each line plus a MeCab parse of
  each text, with no fields, times, filtering or counting.  Two MeCab output
  formats: UniDic's default, and the compact one glipca asks MeCab for (the
  same MeCab work glipca does, so the stricter floor).
* **glipca**: :func:`glipca.counting.prepare.prepare_counts` (read, parse times,
  tokenise, count into the sparse matrix; no cache) with 1 job and with
  ``--jobs`` jobs, each in a fresh process, which reports its wall time and
  peak resident memory.

    python benchmarks/ingest.py ../shared/data/livedoor_news/livedoor_news.jsonl
    python benchmarks/ingest.py --generate 1000000 /tmp/ja1m.jsonl
    python benchmarks/ingest.py /tmp/ja1m.jsonl --jobs 2 --memory-vs /tmp/ja100k.jsonl

The measurements are interleaved over ``--rounds`` rounds and the best of
each is kept; the load average is printed with every figure, and a
pure-Python CPU test says how many cores were free before and after.  On a
shared machine the figures are only comparable within one run.
"""

import argparse
import json
import os
import subprocess
import sys
import time

_CHILD = r"""
import json, resource, sys, time
from glipca.counting.prepare import prepare_counts
path, lang, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
prepared = prepare_counts(path, lang=lang, jobs=jobs, cache=None)
wall = time.perf_counter() - start
print(json.dumps({
    "wall": wall,
    "posts": int(prepared.report.read),
    "words": prepared.counts.n_words,
    "nnz": int(prepared.counts.counts.nnz),
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def load():
    return "load %.2f" % os.getloadavg()[0]


def _spin(n):
    x = 0
    for i in range(n):
        x += i
    return x


def free_cores(jobs, n=10_000_000):
    """Cores a pure-Python CPU task gets now: a ceiling for any speed-up.

    On a machine shared with other jobs, fewer than ``jobs``.
    """
    from multiprocessing import get_context

    start = time.perf_counter()
    _spin(n)
    one = time.perf_counter() - start
    with get_context("spawn").Pool(jobs) as pool:
        pool.map(_spin, [n])  # started and warm
        start = time.perf_counter()
        pool.map(_spin, [n] * jobs, chunksize=1)
        many = time.perf_counter() - start
    return jobs * one / many


def floor(path, text_field, compact):
    """Posts per second of json.loads + MeCab parse of each text."""
    import MeCab
    import unidic_lite

    from glipca.tokens import _FORMAT

    args = f"-r {os.devnull} -d {unidic_lite.DICDIR}" + (f" {_FORMAT}" if compact else "")
    parse = MeCab.Tagger(args).parse
    loads = json.loads
    n = 0
    start = time.perf_counter()
    with open(path, "rb") as fh:
        for line in fh:
            parse(loads(line)[text_field])
            n += 1
    return n / (time.perf_counter() - start), n


def glipca_run(path, lang, jobs):
    """Run glipca's counting in a fresh process; return its report."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), lang, str(jobs)],
        check=True, capture_output=True, text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["rate"] = result["posts"] / result["wall"]
    return result


def generate(n_posts, path, seed=0):
    from glipca.datasets import make_trend_corpus

    per_day = n_posts / 61
    corpus = make_trend_corpus(lang="ja", n_days=61, posts_per_day=(0.75 * per_day, 1.25 * per_day), seed=seed)
    corpus.write_jsonl(path)
    print(f"{len(corpus.posts)} posts written to {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", help="JSON lines file of posts")
    parser.add_argument("--lang", default="ja")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="the 'all jobs' run")
    parser.add_argument("--memory-vs", metavar="SMALLER", help="also measure peak memory on this smaller input")
    parser.add_argument("--generate", type=int, metavar="N", help="write a generated corpus of about N posts to INPUT")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the best is kept")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    if args.input is None:
        parser.error("INPUT is required")
    if args.generate:
        generate(args.generate, args.input)
        return

    figures = {"input": args.input, "cores": len(os.sched_getaffinity(0)), "rounds": []}
    figures["free_cores_before"] = free_cores(args.jobs)
    names = ["floor_default", "floor_compact", "jobs_1", f"jobs_{args.jobs}"]
    labels = ["floor, default MeCab output", "floor, glipca's MeCab output", "glipca, 1 job",
              f"glipca, {args.jobs} jobs"]
    # Rounds interleave the four measurements, so that a burst of load from
    # other jobs hits them alike; the best of the rounds is reported.
    for r in range(args.rounds):
        row = {}
        for name, label in zip(names, labels):
            if name.startswith("floor"):
                rate, n = floor(args.input, args.text_field, compact=name == "floor_compact")
                run = {"rate": rate, "posts": n}
            else:
                run = glipca_run(args.input, args.lang, int(name.split("_")[1]))
            run["load"] = os.getloadavg()[0]
            row[name] = run
            peak = f"   peak {run['maxrss_mb']:.0f} MB" if "maxrss_mb" in run else ""
            print(f"round {r + 1}: {label:30s} {run['rate']:10.0f} posts/s{peak}   ({load()})", flush=True)
        figures["rounds"].append(row)
    for name in names:
        figures[name] = max((row[name] for row in figures["rounds"]), key=lambda run: run["rate"])
    figures["free_cores_after"] = free_cores(args.jobs)
    print(f"{figures['jobs_1']['posts']} posts; cores a CPU-bound {args.jobs}-process test got: "
          f"{figures['free_cores_before']:.2f} before, {figures['free_cores_after']:.2f} after")
    one, many = figures["jobs_1"]["rate"], figures[f"jobs_{args.jobs}"]["rate"]
    figures["ratio_1_job_to_floor"] = one / figures["floor_compact"]["rate"]
    figures["ratio_1_job_to_default_floor"] = one / figures["floor_default"]["rate"]
    figures["speedup"] = many / one
    print(f"best of {args.rounds}: 1 job / floor: {figures['ratio_1_job_to_floor']:.2f} (default-output floor: "
          f"{figures['ratio_1_job_to_default_floor']:.2f}); {args.jobs} jobs / 1 job: {figures['speedup']:.2f}")
    if args.memory_vs:
        small = glipca_run(args.memory_vs, args.lang, 1)
        figures["memory_vs"] = small
        ratio = figures["jobs_1"]["maxrss_mb"] / small["maxrss_mb"]
        figures["memory_ratio"] = ratio
        print(f"peak memory, 1 job: {figures['jobs_1']['maxrss_mb']:.0f} MB for {figures['jobs_1']['posts']} posts, "
              f"{small['maxrss_mb']:.0f} MB for {small['posts']} posts: ratio {ratio:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2)


if __name__ == "__main__":
    main()
