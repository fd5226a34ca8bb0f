"""From posts to a report through a count store filled on Dask: memory and time.

Generates Japanese posts with :func:`glipca.datasets.make_trend_corpus`
(written once, outside the repository), then, each step in a fresh process:

1. ``store``: :func:`glipca.counting.dask.append_on_dask` (what ``glipca
   count FILE --store DIR --append --dask`` runs) on a ``LocalCluster`` of 2
   worker processes: the workers count and write the store's parts;
2. ``analyse-store``: ``glipca analyse --store DIR`` (posts read near the
   stories only);
3. ``analyse-file``: ``glipca analyse FILE``, the single-machine run that
   holds every post, for reference.

Each step reports its wall time and the peak resident memory (VmHWM) of
its own process, the *client* (a LocalCluster's scheduler runs in it too);
step 1 also reports each worker's peak.  The two ``clusters.json`` files
must be identical, byte for byte.

    python benchmarks/store_scale.py                        # 1 M posts in /tmp
    python benchmarks/store_scale.py --posts 10000000 --dir /data/x
"""

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys

_CHILD = r"""
import json, sys, time


def peak_mib():
    # VmHWM starts afresh at exec: the peak of this process alone.
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024


step, path, store, out, block = sys.argv[1:6]
start = time.perf_counter()
result = {}
if step == "store":
    from distributed import Client, LocalCluster
    from glipca.counting.dask import append_on_dask
    from glipca.counting.store import CountStore

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        result["startup"] = time.perf_counter() - start
        done = append_on_dask(CountStore(store), path, lang="ja", client=client,
                              blocksize=int(block))
        result["workers_peak_mib"] = sorted(client.run(peak_mib).values())
    result["added"] = done["added"]
else:
    from glipca.cli import main

    source = ["--store", store] if step == "analyse-store" else [path]
    main([*("analyse", *source, "--out", out, "--lang", "ja", "--resamples", "0", "--no-plots",
            "-q", "--no-cache", "-j", "2")], standalone_mode=False)
result["wall"] = time.perf_counter() - start
result["client_peak_mib"] = peak_mib()
print(json.dumps(result))
"""


def generate(path, n_posts):
    """Write exactly ``n_posts`` generated Japanese posts to ``path`` (once)."""
    from glipca.datasets import make_trend_corpus

    if os.path.exists(path):
        return
    per_day = n_posts / 61

    def corpus():
        return make_trend_corpus(lang="ja", seed=0, posts_per_day=(0.75 * per_day, 1.3 * per_day))

    made = corpus()
    while len(made.posts) < n_posts:  # the volume is random: ask for more
        per_day *= 1.1
        made = corpus()
    made.posts = made.posts.sort_values("created_at").iloc[:n_posts]
    tmp = path + ".tmp"
    made.write_jsonl(tmp)
    os.replace(tmp, path)


def run(step, path, store, out, block):
    done = subprocess.run([sys.executable, "-c", _CHILD, step, path, store, out, str(block)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--dir", default="/tmp/glipca-store-scale")
    ap.add_argument("--block-mib", type=float, default=16, help="MiB per Dask task")
    ap.add_argument("--no-file", action="store_true",
                    help="Skip the single-machine analysis (no byte comparison).")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    block = int(args.block_mib * 2**20)
    for n in args.posts:
        path = os.path.join(args.dir, f"ja-{n}.jsonl")
        generate(path, n)
        store = os.path.join(args.dir, f"store-{n}")
        shutil.rmtree(store, ignore_errors=True)
        outs = {s: os.path.join(args.dir, f"out-{s}-{n}") for s in ("analyse-store", "analyse-file")}
        for o in outs.values():
            shutil.rmtree(o, ignore_errors=True)
        row = {"posts": n, "input_mib": round(os.path.getsize(path) / 2**20, 1)}
        row["store"] = run("store", path, store, "-", block)
        row["analyse-store"] = run("analyse-store", path, store, outs["analyse-store"], block)
        if not args.no_file:
            row["analyse-file"] = run("analyse-file", path, store, outs["analyse-file"], block)
            row["same_clusters_json"] = filecmp.cmp(
                os.path.join(outs["analyse-store"], "clusters.json"),
                os.path.join(outs["analyse-file"], "clusters.json"), shallow=False)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
