"""Posts with wild timestamps among a large corpus: the same clusters as without them.

A 60-day planted corpus of about ``--posts`` posts is written as JSON lines,
then copies with 10 posts dated 2041-06-01 and with 10 more dated
1970-01-01 spread through the file.  Each is run through ``glipca analyse``
(default options, and ``--on-error skip`` once more for the copy with both:
wild times are not errors, so both modes give the same), each in a fresh
process.  Printed per run: exit code,
wall time, the summary's counts and window, and whether ``clusters.json``'s
clusters equal the clean run's; then each run's time against the clean
run, the peer measured in the same run.

    python benchmarks/wild_times.py                 # 100k posts
    python benchmarks/wild_times.py --posts 20000
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from glipca.datasets import make_trend_corpus

KEYS = ("posts_read", "posts_used", "skipped_by_reason", "dropped_by_reason", "periods", "clusters")


def write(path, records):
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def analyse(path, out, *options):
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "glipca.cli", "analyse", path, "--out", out, "--lang", "en",
                           "--no-cache", "--no-plots", "--quiet", *options], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        return {"code": proc.returncode, "wall": wall, "stderr": proc.stderr.strip().splitlines()[-1:]}, None
    doc = json.load(open(os.path.join(out, "clusters.json"), encoding="utf-8"))
    s = doc["summary"]
    return {"code": 0, "wall": wall, **{k: s[k] for k in KEYS}, "window": s.get("window")}, doc["clusters"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    per_day = args.posts / 60
    corpus = make_trend_corpus(n_days=60, posts_per_day=(0.8 * per_day, 1.2 * per_day), seed=args.seed)
    records = [{"id": int(r.id), "created_at": r.created_at, "text": r.text}
               for r in corpus.posts.itertuples(index=False)]
    wild = [{"id": 10**9 + i, "created_at": "1970-01-01T00:00:00Z" if i < 10 else "2041-06-01T12:00:00Z",
             "text": records[i]["text"]} for i in range(20)]
    mixed = list(records)
    for i, w in enumerate(wild):
        mixed.insert((i + 1) * len(records) // 21 + i, w)
    with tempfile.TemporaryDirectory(prefix="glipca-wild-") as folder:
        files = {
            "clean": (write(os.path.join(folder, "clean.jsonl"), records), ()),
            "2041": (write(os.path.join(folder, "2041.jsonl"),
                           [r for r in mixed if not r["created_at"].startswith("1970")]), ()),
            "1970+2041": (write(os.path.join(folder, "both.jsonl"), mixed), ()),
            "1970+2041 skip": (os.path.join(folder, "both.jsonl"), ("--on-error", "skip")),
        }
        print(f"corpus: {len(records)} posts over 60 days, load {os.getloadavg()[0]:.2f}")
        base = None
        for k, (name, (path, options)) in enumerate(files.items()):
            result, clusters = analyse(path, os.path.join(folder, f"out{k}"), *options)
            if name == "clean":
                base = result, clusters
            elif clusters is not None:
                result["same_clusters"] = clusters == base[1]
                result["time_vs_clean"] = round(result["wall"] / base[0]["wall"], 2)
            print(f"{name}: {json.dumps(result, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
