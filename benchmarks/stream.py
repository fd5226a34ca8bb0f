"""Benchmark a count store fed one day at a time against one count of the whole file.

The posts of a file are cut by day (the ``created_at`` date of each line) and
appended to a new count store one day at a time
(:meth:`glipca.counting.store.CountStore.append`, as
``glipca count DAY.jsonl --store DIR --append``). Then, in the same run, the
peer: one count of the whole file (:func:`glipca.counting.prepare.prepare_counts`,
no cache). The script checks that the store holds the same counts, cell for
cell, and the same posts (periods, ids, times, words), and prints the time
of each append against its day's posts: an append should cost in
proportion to the day's posts, not to the store's size, so the last append
should be no slower per post than the second.

    python benchmarks/stream.py ../shared/data/russian_troll_tweets_2016q4/russian_troll_tweets_2016q4.jsonl
    python benchmarks/stream.py --generate 40 /tmp/planted.jsonl   # without ../shared

On a shared machine the figures are only comparable within one run; the load
average is printed with them.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glipca.counting.prepare import prepare_counts  # noqa: E402
from glipca.counting.store import CountStore  # noqa: E402


def load():
    return "load %.2f" % os.getloadavg()[0]


def split_by_day(path, folder):
    """One JSON Lines file per ``created_at`` date, in date order: ``[(path, posts)]``."""
    days = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                days.setdefault(str(json.loads(line)["created_at"])[:10], []).append(line)
    out = []
    for day in sorted(days):
        part = Path(folder) / f"{day}.jsonl"
        part.write_text("".join(days[day]), encoding="utf-8")
        out.append((part, len(days[day])))
    return out


def same(store, whole):
    """Whether the store holds ``whole``'s counts cell for cell and its posts."""
    a, b = whole.counts, store.counts
    counts = (a.words == b.words and a.periods.equals(b.periods) and (a.posts == b.posts).all()
              and (a.counts != b.counts).nnz == 0)
    p, q = whole.posts, store.posts
    posts = ((p.period == q.period).all() and (p.times == q.times).all()
             and p.ids.to_pylist() == q.ids.to_pylist()
             and (p.words != q.words).nnz == 0)
    return bool(counts), bool(posts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="JSON Lines posts with created_at")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--jobs", type=int, default=1, help="tokenising processes per append")
    parser.add_argument("--generate", type=int, metavar="DAYS",
                        help="write a planted corpus of DAYS days to PATH first")
    args = parser.parse_args()
    if args.generate:
        from glipca.datasets import make_trend_corpus

        make_trend_corpus(lang=args.lang, n_days=args.generate, posts_per_day=(1500, 3000),
                          seed=0).write_jsonl(args.path)
    with tempfile.TemporaryDirectory(prefix="glipca-stream-") as tmp:
        days = split_by_day(args.path, tmp)
        store = CountStore(Path(tmp) / "store")
        times = []
        for part, n in days:
            start = time.perf_counter()
            done = store.append(part, lang=args.lang, jobs=args.jobs)
            times.append(time.perf_counter() - start)
            assert done["added"] + done["repeated"] == n, (part, done, n)
        appends = sum(times)
        start = time.perf_counter()
        whole = prepare_counts(args.path, lang=args.lang, jobs=args.jobs, cache=None)
        once = time.perf_counter() - start
        counts, posts = same(store.read(), whole)
        size = sum(f.stat().st_size for f in (Path(tmp) / "store").rglob("*") if f.is_file())
    n = len(days)
    print(f"{n} appends of one day each, {sum(p for _, p in days):,} posts, jobs {args.jobs}; {load()}")
    print(f"counts equal to one count of the whole file, cell for cell: {counts}; "
          f"posts (periods, ids, times, words) equal: {posts}")
    for k in sorted({1, 2, n // 2, n - 1, n} & set(range(1, n + 1))):
        t, p = times[k - 1], days[k - 1][1]
        print(f"  append {k:3d} ({days[k - 1][0].stem}): {p:6,} posts  {t:6.2f} s  "
              f"{1000 * t / p:6.2f} ms per post")
    per_post = [t / p for t, (_, p) in zip(times, days)]
    print(f"append {n} against append 2, per post: {per_post[n - 1] / per_post[1]:.2f}x "
          f"(time {times[n - 1] / times[1]:.2f}x, posts {days[n - 1][1] / days[1][1]:.2f}x)")
    half = n // 2
    print(f"mean per post, last {n - half} appends against the first {half}: "
          f"{(sum(per_post[half:]) / (n - half)) / (sum(per_post[:half]) / half):.2f}x")
    print(f"all appends {appends:.1f} s against one count of the whole file {once:.1f} s: "
          f"{appends / once:.2f}x; store {size / 2**20:.1f} MiB; {load()}")
    return 0 if counts and posts else 1


if __name__ == "__main__":
    sys.exit(main())
