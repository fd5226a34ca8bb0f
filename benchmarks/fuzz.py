"""Fuzz the reader at scale: a planted corpus, mutated at random, against itself clean.

A 60-day planted corpus of about ``--lines`` posts is written as JSON lines,
then a copy with ``--rate`` of its lines damaged by
:func:`glipca.datasets.hostile.mutate_lines` (byte flips, truncation, deleted
braces and quotes, inserted Unicode, lone surrogates, swapped field types,
renamed fields, wild timestamps, nesting 10^5 deep, 5,000-digit numbers,
long lines, stray line ends).  Each file is run through ``glipca count``
(and with ``--analyse`` through ``glipca analyse``) under ``--on-error
skip``, each in a fresh process with a time limit.  Printed per run: exit
code, wall time, the reading report (for ``analyse`` also the analysis
window and the posts dropped as ``out_of_window``) and whether ``read =
used + skipped + dropped`` holds; then the mutated/clean time ratio, the
peer measured in the same run.

    python benchmarks/fuzz.py                      # 100k lines, count only
    python benchmarks/fuzz.py --analyse            # also glipca analyse
    python benchmarks/fuzz.py --analyse --rounds 3 # fastest of three runs each
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from glipca.datasets import make_trend_corpus
from glipca.datasets.hostile import mutate_lines


def write_corpus(folder, n_lines, rate, seed, long_bytes=1 << 12):
    days = 60
    per_day = n_lines / days
    corpus = make_trend_corpus(n_days=days, posts_per_day=(0.8 * per_day, 1.2 * per_day), seed=seed)
    lines = [json.dumps({"id": int(r.id), "created_at": r.created_at, "text": r.text}, ensure_ascii=False).encode()
             for r in corpus.posts.itertuples(index=False)]
    clean = os.path.join(folder, "clean.jsonl")
    mutated = os.path.join(folder, "mutated.jsonl")
    with open(clean, "wb") as fh:
        fh.write(b"\n".join(lines) + b"\n")
    with open(mutated, "wb") as fh:
        fh.write(b"\n".join(mutate_lines(lines, rate=rate, seed=seed, size=long_bytes)) + b"\n")
    return clean, mutated, len(lines)


def run(command, path, out, timeout):
    args = [sys.executable, "-m", "glipca.cli", command, path, "--out", out, "--lang", "en",
            "--on-error", "skip", "--no-cache", "--quiet"]
    if command == "analyse":
        args.append("--no-plots")
    start = time.perf_counter()
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"code": "timeout", "wall": time.perf_counter() - start}
    wall = time.perf_counter() - start
    result = {"code": proc.returncode, "wall": wall, "traceback": "Traceback" in proc.stderr,
              "stderr": proc.stderr.strip().splitlines()[-1:] if proc.returncode else []}
    meta = os.path.join(out, "meta.json" if command == "count" else "clusters.json")
    if proc.returncode == 0:
        doc = json.load(open(meta, encoding="utf-8"))
        if command == "count":
            r = doc["report"]
            result.update(read=r["read"], used=r["used"], skipped=r["n_skipped"], dropped=r["n_dropped"],
                          by_reason=r["skipped"], repaired=r.get("repaired", {}))
        else:
            s = doc["summary"]
            result.update(read=s["posts_read"], used=s["posts_used"], skipped=s["posts_skipped"],
                          dropped=s["posts_dropped"], by_reason=s["skipped_by_reason"],
                          out_of_window=s["dropped_by_reason"].get("out_of_window", 0),
                          window=s.get("window"), periods=s["periods"], clusters=s["clusters"])
        result["balanced"] = result["read"] == result["used"] + result["skipped"] + result["dropped"]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=0.3, help="share of lines mutated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--long-bytes", type=int, default=1 << 12,
                        help="text a long-text mutation adds (default 4 KiB, a long real post; "
                             "65536 makes the mutated file about 40 times the clean one, most of "
                             "it valid text to tokenise)")
    parser.add_argument("--analyse", action="store_true", help="also run glipca analyse")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each file; the fastest is kept")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="glipca-fuzz-") as folder:
        clean, mutated, n = write_corpus(folder, args.lines, args.rate, args.seed, args.long_bytes)
        mb = [os.path.getsize(p) / 1e6 for p in (clean, mutated)]
        print(f"corpus: {n} lines, {args.rate:.0%} mutated (seed {args.seed}); {mb[0]:.0f} MB clean, "
              f"{mb[1]:.0f} MB mutated (long texts of {args.long_bytes} bytes, deep nesting); "
              f"load {os.getloadavg()[0]:.2f}")
        for command in ["count"] + (["analyse"] if args.analyse else []):
            results = {}
            # Rounds interleave the two files, and the fastest run of each is
            # kept: the machine's load changes over minutes.
            for r in range(args.rounds):
                for name, path in (("clean", clean), ("mutated", mutated)):
                    got = run(command, path, os.path.join(folder, f"{command}-{name}-{r}"), args.timeout)
                    print(f"{command} {name}: {json.dumps(got, ensure_ascii=False)}")
                    if name not in results or got["wall"] < results[name]["wall"]:
                        results[name] = got
            if isinstance(results["mutated"]["code"], int) and results["clean"]["code"] == 0:
                walls = [results[name]["wall"] for name in ("mutated", "clean")]
                print(f"{command}: mutated/clean time {walls[0] / walls[1]:.2f}x; per MB of input "
                      f"{walls[0] / mb[1] / (walls[1] / mb[0]):.2f}x")


if __name__ == "__main__":
    main()
