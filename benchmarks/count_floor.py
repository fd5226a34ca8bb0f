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
free (a pure-Python 2-process test before and after says how many cores
were: the ceiling for any speed-up then). The 1-job runs and the floor also
give their CPU time, which a busy machine inflates far less than wall time:
the ratio of CPU times is the per-core comparison.

    python benchmarks/count_floor.py --generate /tmp/ja342k.jsonl   # 342,275 posts
    python benchmarks/count_floor.py /tmp/ja342k.jsonl --rounds 3
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest import free_cores  # noqa: E402  (benchmarks/ingest.py)

_PREPARE = r"""
import json, resource, sys, time
start = time.perf_counter()
from glipca.counting.prepare import prepare_counts
path, jobs = sys.argv[1], int(sys.argv[2])
prepared = prepare_counts(path, lang="ja", jobs=jobs, cache=None, keep_posts=True)
wall = time.perf_counter() - start
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "posts": int(prepared.posts.n_posts), "cpu_main": me.ru_utime + me.ru_stime}))
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
    start, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as fh:
        for line in fh:
            parse(loads(line)["text"])
            n += 1
    return {"rate": n / (time.perf_counter() - start), "cpu": time.process_time() - cpu}, n


def _children_cpu():
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def count_cli(path, jobs, n_posts):
    """posts/s of ``glipca count --no-cache`` in a fresh process, and its CPU
    time (with 2 jobs, the main process's only: workers are not its children)."""
    glipca = os.path.join(os.path.dirname(sys.executable), "glipca")
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run([glipca, "count", path, "--out", os.path.join(tmp, "counts"), "--no-cache",
                        "-q", "--jobs", str(jobs)], check=True)
        return {"rate": n_posts / (time.perf_counter() - start), "cpu": _children_cpu() - cpu}


def count_prepare(path, jobs):
    """posts/s and CPU seconds (of the main process) of the analysis's counting pass, in a fresh process."""
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
    best, all_runs = {}, {}
    n_posts = None
    cores_before = free_cores(2)
    for r in range(args.rounds):
        for name in names:
            if name == "floor":
                run, n_posts = floor(args.input)
            elif name.startswith("count"):
                run = count_cli(args.input, int(name[-1]), n_posts)
            else:
                run = count_prepare(args.input, int(name[-1]))
            load = os.getloadavg()[0]
            cpu = (f"   CPU {run['cpu_main']:.1f} s" if "cpu_main" in run
                   else f"   CPU {run['cpu']:.1f} s" if "cpu" in run else "")
            print(f"round {r + 1}: {name:10s} {run['rate']:8.0f} posts/s   load {load:.2f}{cpu}", flush=True)
            all_runs.setdefault(name, []).append(run)
            if name not in best or run["rate"] > best[name]["rate"]:
                best[name] = dict(run, load=load)
    cores_after = free_cores(2)
    rate = {name: run["rate"] for name, run in best.items()}
    print(f"best of {args.rounds} rounds, {n_posts} posts, {os.cpu_count()} CPUs; cores a CPU-bound "
          f"2-process test got: {cores_before:.2f} before, {cores_after:.2f} after")
    cpu_floor = min(run["cpu"] for run in all_runs["floor"])
    cpu_count = min(run["cpu"] for run in all_runs["count_1"])
    print(f"  CPU time, least of the rounds: floor {cpu_floor:.2f} s, glipca count --jobs 1 "
          f"{cpu_count:.2f} s: ratio {cpu_floor / cpu_count:.2f}")
    print(f"  glipca count --jobs 1 / floor: {rate['count_1'] / rate['floor']:.2f}; "
          f"--jobs 2 / --jobs 1: {rate['count_2'] / rate['count_1']:.2f}")
    if not args.skip_prepare:
        print(f"  counting pass with per-post data, 1 job / floor: {rate['prepare_1'] / rate['floor']:.2f}; "
              f"2 jobs / 1 job: {rate['prepare_2'] / rate['prepare_1']:.2f}")
    # The host's speed drifts between rounds: the runs of one round, made
    # back to back, compare like with like.
    for name in ("count", "prepare")[:1 if args.skip_prepare else 2]:
        ratios = [two["rate"] / one["rate"] for one, two in zip(all_runs[f"{name}_1"], all_runs[f"{name}_2"])]
        print(f"  {name} 2 jobs / 1 job, round for round: "
              f"{', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
