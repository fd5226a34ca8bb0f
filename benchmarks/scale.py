"""Counting on Dask: posts per second with 1 and 2 workers, and client memory.

Generates English posts with :func:`glipca.datasets.make_trend_corpus`
(written once, outside the repository), then, each in a fresh process:

* the local path (:func:`glipca.counting.prepare.prepare_counts`, 1 job), for
  reference and for the equality check;
* :func:`glipca.counting.dask.count_on_dask` on a ``LocalCluster`` of 1 and of
  2 worker processes, on the small and on the large input.

Each run reports its wall time (cluster start included, since a user pays
it; the rate without it is shown too) and the peak resident memory of the *client* process (the scheduler of a
``LocalCluster`` runs in it; the workers are separate processes and are not
counted).  The Dask counts are checked cell for cell against the local ones.

    python benchmarks/scale.py                      # 1 M and 100 k posts in /tmp
    python benchmarks/scale.py --posts 200000 --small 20000 --dir /tmp/x
"""

import argparse
import json
import os
import subprocess
import sys

_CHILD = r"""
import json, resource, sys, time


def peak_mib():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's peak
    # (the generated corpus) over to this process.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


path, out, workers, block = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
from glipca.counting.cache import write_counts
start = time.perf_counter()
if workers == 0:
    from glipca.counting.prepare import prepare_counts
    startup = 0.0
    prepared = prepare_counts(path, lang="en", jobs=1, cache=None)
else:
    from distributed import Client, LocalCluster
    from glipca.counting.dask import count_on_dask
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        startup = time.perf_counter() - start
        prepared = count_on_dask(path, client=client, lang="en", blocksize=block)
wall = time.perf_counter() - start
write_counts(prepared.counts, out)
print(json.dumps({
    "wall": wall,
    "startup": startup,
    "posts": int(prepared.report.read),
    "words": prepared.counts.n_words,
    "client_peak_mib": peak_mib(),
}))
"""


def generate(path, n_posts):
    """Write exactly ``n_posts`` generated posts to ``path`` (once)."""
    from glipca.datasets import make_trend_corpus

    if os.path.exists(path):
        return
    per_day = n_posts / 61
    corpus = make_trend_corpus(lang="en", seed=0, posts_per_day=(0.75 * per_day, 1.3 * per_day))
    while len(corpus.posts) < n_posts:  # the volume is random: ask for more
        per_day *= 1.1
        corpus = make_trend_corpus(lang="en", seed=0, posts_per_day=(0.75 * per_day, 1.3 * per_day))
    corpus.posts = corpus.posts.sort_values("created_at").iloc[:n_posts]
    tmp = path + ".tmp"
    corpus.write_jsonl(tmp)
    os.replace(tmp, path)


def run(path, out, workers, block):
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, path, out, str(workers), str(block)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def same(a, b):
    from glipca.counting.cache import read_counts

    (x, _), (y, _) = read_counts(a), read_counts(b)
    return (x.words == y.words and x.periods.equals(y.periods) and (x.posts == y.posts).all()
            and x.counts.shape == y.counts.shape and (x.counts != y.counts).nnz == 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=100_000)
    ap.add_argument("--dir", default="/tmp/glipca-scale")
    ap.add_argument("--block-mib", type=float, default=4, help="MiB per Dask task")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    block = int(args.block_mib * (1 << 20))
    sizes = {"large": args.posts, "small": args.small}
    paths = {k: os.path.join(args.dir, f"posts_{n}.jsonl") for k, n in sizes.items()}
    for k in sizes:
        generate(paths[k], sizes[k])
    print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
    rows = []
    for size in ("small", "large"):
        ref = os.path.join(args.dir, f"counts_{size}_local")
        os.makedirs(ref, exist_ok=True)
        for workers in (0, 1, 2):
            out = ref if workers == 0 else os.path.join(args.dir, f"counts_{size}_{workers}")
            os.makedirs(out, exist_ok=True)
            load = os.getloadavg()[0]
            r = run(paths[size], out, workers, block)
            r.update(size=sizes[size], workers=workers, load=load,
                     identical=None if workers == 0 else same(ref, out))
            rows.append(r)
            name = "local, 1 job" if workers == 0 else f"dask, {workers} worker{'s' * (workers > 1)}"
            print(f"{r['size']:>9,} posts  {name:<16} {r['posts'] / r['wall']:>9,.0f} posts/s  "
                  f"({r['posts'] / (r['wall'] - r['startup']):>7,.0f} once the cluster is up)  "
                  f"wall {r['wall']:6.1f} s  client peak {r['client_peak_mib']:6.0f} MiB  "
                  f"identical to local: {r['identical']}  (load {load:.2f})", flush=True)
    for workers in (1, 2):
        small, large = (next(r for r in rows if r["size"] == sizes[s] and r["workers"] == workers)
                        for s in ("small", "large"))
        print(f"client peak, {workers} worker(s): {large['client_peak_mib'] / small['client_peak_mib']:.2f}x "
              f"from {args.small:,} to {args.posts:,} posts")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
