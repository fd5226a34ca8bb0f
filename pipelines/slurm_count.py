"""Count a dump on a SLURM cluster with dask-jobqueue (an example to adapt).

Needs ``pip install "glipca[dask]" dask-jobqueue`` in an environment that
the batch jobs also see (a shared file system), and the inputs on a file
system every node mounts.  Worker sizing: see docs/scaling.md.

    python pipelines/slurm_count.py /lustre/dump/ --out counts --lang ja --jobs 10
"""

import argparse

from dask_jobqueue import SLURMCluster
from distributed import Client

from glipca.counting.cache import write_counts
from glipca.counting.dask import count_on_dask
from glipca.report.atomic import atomic_dir


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--lang", required=True)
    ap.add_argument("--jobs", type=int, default=10, help="Batch jobs of 8 single-threaded workers.")
    ap.add_argument("--min-count", type=int, default=20)
    ap.add_argument("--min-days", type=int, default=3)
    args = ap.parse_args()

    # 8 worker processes of one thread and 2 GB each per job: tokenising
    # holds the GIL, so threads would not help.
    cluster = SLURMCluster(cores=8, processes=8, memory="16GB", walltime="02:00:00",
                           local_directory="$TMPDIR", job_name="glipca-count")
    cluster.scale(jobs=args.jobs)
    with Client(cluster) as client:
        client.wait_for_workers(8)  # start once some are up; the rest join as they come
        prepared = count_on_dask(args.inputs, client=client, lang=args.lang,
                                 min_count=args.min_count, min_periods=args.min_days)
    cluster.close()
    meta = {"key": prepared.key, "params": prepared.params, "report": prepared.report.as_dict(),
            "prune": {"min_count": args.min_count, "min_periods": args.min_days}}
    with atomic_dir(args.out) as tmp:
        write_counts(prepared.counts, tmp, meta)


if __name__ == "__main__":
    main()
