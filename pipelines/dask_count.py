"""Count words per period on a Dask cluster, and optionally check the result.

The same as ``glipca count --dask``, as a script to adapt: it connects to a
scheduler (or starts a local cluster), counts with
:func:`glipca.counting.dask.count_on_dask` and writes the counts folder.
``--check`` counts again on this machine and compares cell for cell, to
validate a new deployment on a sample that fits here.

    python pipelines/dask_count.py dump/ --out counts --lang en --workers 4
    python pipelines/dask_count.py "s3://bucket/dump/*.jsonl.gz" --out counts \\
        --lang en --scheduler tcp://scheduler:8786 --min-count 20 --min-days 3
    python pipelines/dask_count.py sample.jsonl --out counts --lang en --check
"""

import argparse
import sys
import time

from distributed import Client, LocalCluster

from glipca.counting.cache import write_counts
from glipca.counting.dask import DEFAULT_BLOCKSIZE, count_on_dask
from glipca.counting.options import count_options
from glipca.report.atomic import atomic_dir


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+", help="Files, folders, or fsspec URLs and globs.")
    ap.add_argument("--out", required=True, help="Counts folder to write.")
    ap.add_argument("--lang", required=True)
    ap.add_argument("--tz")
    ap.add_argument("--freq", default="D")
    ap.add_argument("--on-error", choices=["raise", "skip"], default="raise")
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--min-days", type=int, default=1)
    ap.add_argument("--scheduler", help="Scheduler address; default: a local cluster.")
    ap.add_argument("--workers", type=int, help="Workers of the local cluster.")
    ap.add_argument("--block-mib", type=int, default=DEFAULT_BLOCKSIZE >> 20)
    ap.add_argument("--force", action="store_true", help="Replace an existing --out folder.")
    ap.add_argument("--check", action="store_true", help="Also count locally and compare.")
    args = ap.parse_args(argv)

    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    options = count_options(lang=args.lang, tz=args.tz, freq=args.freq, on_error=args.on_error)
    try:
        start = time.perf_counter()
        prepared = count_on_dask(args.inputs, options, client=client, min_count=args.min_count,
                                 min_periods=args.min_days, blocksize=args.block_mib << 20)
        wall = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    r, c = prepared.report, prepared.counts
    print(f"{r.read:,} posts read, {r.used:,} used in {wall:.1f} s ({r.read / wall:,.0f} posts/s); "
          f"{c.n_periods} periods, {c.n_words:,} words", file=sys.stderr)
    meta = {"key": prepared.key, "params": prepared.params, "report": r.as_dict(),
            "prune": {"min_count": args.min_count, "min_periods": args.min_days}}
    with atomic_dir(args.out, force=args.force) as tmp:
        write_counts(c, tmp, meta)

    if args.check:
        from glipca.counting.prepare import prepare_counts

        local = prepare_counts(args.inputs, options, jobs=None).counts
        local = local.prune(args.min_count, args.min_days)
        same = (local.words == c.words and local.periods.equals(c.periods)
                and (local.posts == c.posts).all() and local.counts.shape == c.counts.shape
                and (local.counts != c.counts).nnz == 0)
        print("local counts: " + ("identical" if same else "DIFFERENT"), file=sys.stderr)
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
