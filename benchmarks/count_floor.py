"""Counting against its floor: ``glipca count`` beside a bare json.loads + MeCab loop.

On the same JSON lines file of Japanese posts, in one run:

* **floor**: a loop of ``json.loads`` on each line and a MeCab parse of its
  text (UniDic's default output), nothing else;
* ``glipca count --no-cache -q --jobs 1`` and ``--jobs 2``, each a fresh
  process (compounds on, the default);
* the counting pass of ``glipca analyse`` (:func:`glipca.counting.prepare.
  prepare_counts`, per-post data kept, no cache) with 1 and 2 jobs, each a
  fresh process, which reports its own CPU time and its workers'.

Posts per second are posts over wall time, interpreter start included for
the glipca runs. The measurements are interleaved over ``--rounds`` rounds
and the best of each is kept; the load average is printed with each one,
since on a shared machine the 2-job figures depend on a second core being
free.

    python benchmarks/count_floor.py --generate /tmp/ja342k.jsonl   # 342,275 posts
    python benchmarks/count_floor.py /tmp/ja342k.jsonl --rounds 3
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

_PREPARE = r"""
import json, resource, sys, time
start = time.perf_counter()
from glipca.counting.prepare import prepare_counts
path, jobs = sys.argv[1], int(sys.argv[2])
prepared = prepare_counts(path, lang="ja", jobs=jobs, cache=None, keep_posts=True)
wall = time.perf_counter() - start
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "posts": int(prepared.posts.n_posts),
                  "cpu_main": me.ru_utime + me.ru_stime, "cpu_workers": kids.ru_utime + kids.ru_stime}))
"""


def generate(path, seed=0):
    """The 342,275-post corpus: 84 days at 4,000 posts a day."""
    from glipca.datasets import make_trend_corpus

    corpus = make_trend_corpus(lang="ja", n_days=84, posts_per_day=(4000, 4000), seed=seed)
    corpus.write_jsonl(path)
    print(f"{len(corpus.posts)} posts written to {path}")


def floor(path):
    """(posts/s, posts) of json.loads + a MeCab parse (default output) of each text."""
    import MeCab
    import unidic_lite

    parse = MeCab.Tagger(f"-r {os.devnull} -d {unidic_lite.DICDIR}").parse
    loads = json.loads
    n = 0
    start = time.perf_counter()
    with open(path, "rb") as fh:
        for line in fh:
            parse(loads(line)["text"])
            n += 1
    return n / (time.perf_counter() - start), n


def count_cli(path, jobs, n_posts):
    """posts/s of ``glipca count --no-cache`` in a fresh process."""
    glipca = os.path.join(os.path.dirname(sys.executable), "glipca")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([glipca, "count", path, "--out", os.path.join(tmp, "counts"), "--no-cache",
                        "-q", "--jobs", str(jobs)], check=True)
        return {"rate": n_posts / (time.perf_counter() - start)}


def count_prepare(path, jobs):
    """posts/s and CPU seconds of the analysis's counting pass in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _PREPARE, path, str(jobs)],
                         check=True, capture_output=True, text=True)
    run = json.loads(out.stdout.strip().splitlines()[-1])
    run["rate"] = run["posts"] / run["wall"]
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="JSON lines file of posts (field 'text')")
    parser.add_argument("--generate", action="store_true", help="write the corpus to INPUT first")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-prepare", action="store_true", help="only the floor and glipca count")
    args = parser.parse_args(argv)
    if args.generate:
        generate(args.input)
        return
    names = ["floor", "count_1", "count_2"] + ([] if args.skip_prepare else ["prepare_1", "prepare_2"])
    best = {}
    n_posts = None
    for r in range(args.rounds):
        for name in names:
            if name == "floor":
                rate, n_posts = floor(args.input)
                run = {"rate": rate}
            elif name.startswith("count"):
                run = count_cli(args.input, int(name[-1]), n_posts)
            else:
                run = count_prepare(args.input, int(name[-1]))
            load = os.getloadavg()[0]
            cpu = (f"   CPU: main {run['cpu_main']:.1f} s, workers {run['cpu_workers']:.1f} s"
                   if "cpu_main" in run else "")
            print(f"round {r + 1}: {name:10s} {run['rate']:8.0f} posts/s   load {load:.2f}{cpu}", flush=True)
            if name not in best or run["rate"] > best[name]["rate"]:
                best[name] = dict(run, load=load)
    rate = {name: run["rate"] for name, run in best.items()}
    print(f"best of {args.rounds} rounds, {n_posts} posts, {os.cpu_count()} CPUs:")
    print(f"  glipca count --jobs 1 / floor: {rate['count_1'] / rate['floor']:.2f}; "
          f"--jobs 2 / --jobs 1: {rate['count_2'] / rate['count_1']:.2f}")
    if not args.skip_prepare:
        print(f"  counting pass with per-post data, 1 job / floor: {rate['prepare_1'] / rate['floor']:.2f}; "
              f"2 jobs / 1 job: {rate['prepare_2'] / rate['prepare_1']:.2f}")


if __name__ == "__main__":
    main()
