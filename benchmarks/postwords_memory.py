"""Memory and time of keeping each post's words while counting.

On the same posts, in one run, each in a fresh process that reports its
wall time and peak resident memory:

* **counts only**: :func:`glipca.counting.prepare.prepare_counts` with
  ``keep_posts=False`` (the counting pass as it was before posts were kept);
* **counts + posts**: the same with ``keep_posts=True`` (the default): the
  :class:`~glipca.counting.postwords.PostWords` of every post, texts
  included;
* **posts from cache**: a warm cache hit that loads the counts and the
  posts' words (texts stay on disk).

Ratios are against "counts only" measured in the same run.

    python benchmarks/postwords_memory.py --generate 1000000 /tmp/en1m.jsonl
    python benchmarks/postwords_memory.py /tmp/en1m.jsonl --jobs 1 --jobs 2
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

_CHILD = r"""
import json, resource, sys, time
from glipca.counting.prepare import prepare_counts

def main():
    path, jobs, keep, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
    start = time.perf_counter()
    prepared = prepare_counts(path, lang="en", jobs=jobs, cache=cache or None, keep_posts=keep)
    wall = time.perf_counter() - start
    posts = prepared.posts
    print(json.dumps({
        "wall": wall,
        "posts": int(prepared.report.used),
        "kept": posts.n_posts if posts is not None else 0,
        "pairs": int(posts.words.nnz) if posts is not None else 0,
        "from_cache": prepared.from_cache,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))

if __name__ == "__main__":
    main()
"""


def run(path, jobs, keep, cache=""):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(_CHILD)
    try:
        out = subprocess.run([sys.executable, fh.name, str(path), str(jobs), "1" if keep else "0", cache],
                             check=True, capture_output=True, text=True)
    finally:
        os.unlink(fh.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def generate(n, path):
    from glipca.datasets import make_trend_corpus

    per_day = n // 61
    corpus = make_trend_corpus(lang="en", posts_per_day=(int(per_day * 0.9), int(per_day * 1.1)), seed=1)
    corpus.write_jsonl(path)
    print(f"{len(corpus.posts):,} posts written to {path}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path")
    ap.add_argument("--generate", type=int, metavar="N", help="First write about N generated posts to PATH.")
    ap.add_argument("--jobs", type=int, action="append", help="Tokenising processes (repeatable; default 1).")
    args = ap.parse_args()
    if args.generate:
        generate(args.generate, args.path)
    size = os.path.getsize(args.path) / 2**20
    print(f"input: {args.path} ({size:,.0f} MiB), load {os.getloadavg()[0]:.2f}")
    for jobs in args.jobs or [1]:
        base = run(args.path, jobs, False)
        kept = run(args.path, jobs, True)
        with tempfile.TemporaryDirectory() as cache:
            run(args.path, jobs, True, cache)
            warm = run(args.path, jobs, True, cache)
            entry = [os.path.join(cache, d) for d in os.listdir(cache) if d != "notes"][0]
            stored = os.path.getsize(os.path.join(entry, "posts.parquet")) / 2**20
        print(f"jobs {jobs}: {base['posts']:,} posts, {kept['pairs']:,} post-word pairs, "
              f"posts.parquet {stored:,.0f} MiB")
        for name, r in (("counts only", base), ("counts + posts", kept), ("posts from cache", warm)):
            print(f"  {name:17s} peak {r['maxrss_mb']:7.0f} MiB ({r['maxrss_mb'] / base['maxrss_mb']:.2f}x)"
                  f"  workers {r['workers_maxrss_mb']:5.0f} MiB  wall {r['wall']:6.1f} s "
                  f"({r['wall'] / base['wall']:.2f}x)")


if __name__ == "__main__":
    main()
