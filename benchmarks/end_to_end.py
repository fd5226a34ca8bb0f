"""Wall time of ``glipca analyse`` stage by stage, against counting alone.

Each run is the command line in a fresh process, as a user runs it; its wall
time includes starting Python. The stage times are those the command prints
(``time: ...``, :class:`glipca.progress.StageTimes`). In one run of this
script:

* **troll file** (``../shared/data/russian_troll_tweets_2016q4``, English):
  ``glipca count`` cold (no cache), then ``glipca analyse`` with default
  options cold (empty cache) and warm (counts from the cache), and warm with
  ``--no-plots --resamples 0``: the peer of the acceptance ratio (default
  warm run at most 2.5x that). With ``--hourly``, also ``glipca analyse
  --freq 1h`` cold (1,464 hourly periods), against the daily cold run: at
  most 3x.
* **generated Japanese posts** (:func:`glipca.datasets.make_trend_corpus`,
  about 1 M posts over 61 days, written once outside the repository):
  ``glipca count`` and ``glipca analyse`` with default options, both cold
  and with ``--jobs``: analyse at most 1.5x count, and under 60 s.

For every analyse run the share of each stage and the ratio of the whole run
to counting alone (the ``glipca count`` run on the same input) are printed.
With ``--rounds N`` every run is repeated N times, interleaved, and the
fastest of each is kept: a run slowed by other jobs says nothing about
glipca. The load average is printed with every figure and a CPU test says
how many cores were free before and after: on a shared machine only ratios
within one run mean something.

    python benchmarks/end_to_end.py                 # full troll file, 1 M Japanese posts
    python benchmarks/end_to_end.py --quick         # a 100 k-post corpus only
    python benchmarks/end_to_end.py --ja-file /tmp/ja1m.jsonl --json out.json
    python benchmarks/end_to_end.py --only troll --hourly --rounds 2
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import free_cores, generate, load  # noqa: E402  (a script beside this one)

ROOT = Path(__file__).resolve().parents[1]
TROLL = ROOT.parent / "shared" / "data" / "russian_troll_tweets_2016q4" / "russian_troll_tweets_2016q4.jsonl"


def glipca(*args, cache):
    """Run the command line; its wall time, stage times and summary."""
    env = dict(os.environ, GLIPCA_CACHE=str(cache), PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "glipca.cli", *map(str, args)],
                         capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"glipca {' '.join(map(str, args))} failed:\n{out.stderr}")
    stages = {}
    for line in out.stderr.splitlines():
        if line.startswith("time: "):
            stages = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)", line.split("(", 1)[1])}
    return {"wall": wall, "stages": stages, "load": os.getloadavg()[0],
            "summary": [l for l in out.stderr.splitlines() if l.startswith(("posts:", "periods:"))]}


def show(name, run, peer=None):
    line = f"  {name:<34} {run['wall']:7.1f} s   ({load()})"
    if peer is not None:
        line += f"   {run['wall'] / peer['wall']:.2f}x {peer['name']}"
    print(line, flush=True)
    stages = run["stages"]
    if stages:
        total = sum(stages.values())
        shares = ", ".join(f"{k} {v:.1f} s {100 * v / total:.0f}%" for k, v in stages.items())
        print(f"      stages: {shares}; outside stages (start-up, summary) "
              f"{run['wall'] - total:.1f} s", flush=True)


def bench_input(label, path, lang, jobs, tmp, warm=True, rounds=1, hourly=False):
    """count cold, analyse cold, and (warm) analyse from the cache with and without extras.

    With ``hourly``, also analyse cold with ``--freq 1h`` (its own cache).

    Each is run ``rounds`` times, interleaved; the fastest of each is kept.
    """
    print(f"{label}: {path}", flush=True)
    args = ["--lang", lang, "--jobs", jobs]
    every = {}
    for r in range(rounds):
        runs = every.setdefault(r, {})
        runs["count"] = glipca("count", path, "--out", tmp / "counts", "--no-cache", "--force",
                               *args, cache=tmp / "none")
        cache = tmp / f"cache-{label}-{r}"
        runs["cold"] = glipca("analyse", path, "--out", tmp / "cold", "--force", *args, cache=cache)
        if warm:
            runs["warm"] = glipca("analyse", path, "--out", tmp / "warm", "--force", *args,
                                  cache=cache)
            runs["bare"] = glipca("analyse", path, "--out", tmp / "bare", "--force", "--no-plots",
                                  "--resamples", "0", *args, cache=cache)
        if hourly:
            runs["hourly"] = glipca("analyse", path, "--out", tmp / "hourly", "--force",
                                    "--freq", "1h", *args, cache=tmp / f"cache-{label}-{r}-1h")
        if rounds > 1:
            print(f"  round {r + 1}: " + ", ".join(f"{k} {v['wall']:.1f} s (load {v['load']:.1f})"
                                                   for k, v in runs.items()), flush=True)
    runs = {k: min((every[r][k] for r in every), key=lambda v: v["wall"]) for k in every[0]}
    runs["count"]["name"] = "count"
    show("glipca count (cold)", runs["count"])
    show("glipca analyse (cold)", runs["cold"], runs["count"])
    if warm:
        runs["bare"]["name"] = "bare"
        show("glipca analyse (warm)", runs["warm"], runs["count"])
        show("  --no-plots --resamples 0 (warm)", runs["bare"], runs["count"])
        print(f"  warm default / warm --no-plots --resamples 0: "
              f"{runs['warm']['wall'] / runs['bare']['wall']:.2f}x (acceptance: <= 2.5x)")
    if hourly:
        runs["cold"]["name"] = "daily"
        show("glipca analyse --freq 1h (cold)", runs["hourly"], runs["cold"])
        print(f"  hourly (cold) / daily (cold): {runs['hourly']['wall'] / runs['cold']['wall']:.2f}x "
              f"(acceptance: <= 3x)")
    ratio = runs["cold"]["wall"] / runs["count"]["wall"]
    print(f"  analyse (cold) / count (cold): {ratio:.2f}x; analyse {runs['cold']['wall']:.1f} s",
          flush=True)
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a generated corpus of 100 k posts only, no troll file")
    parser.add_argument("--troll", type=Path, default=TROLL, help="the troll tweets file")
    parser.add_argument("--ja-file", type=Path, help="generated Japanese posts (written if absent)")
    parser.add_argument("--ja-posts", type=int, help="size of the generated corpus [1 M; 100 k with --quick]")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of every run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="interleaved rounds; the fastest of each run is kept")
    parser.add_argument("--only", choices=["troll", "ja"], help="one input only")
    parser.add_argument("--hourly", action="store_true",
                        help="also analyse the troll file with --freq 1h, cold")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    n_posts = args.ja_posts or (100_000 if args.quick else 1_000_000)
    figures = {"jobs": args.jobs, "cores": len(os.sched_getaffinity(0))}
    figures["free_cores_before"] = free_cores(args.jobs)
    print(f"free cores before: {figures['free_cores_before']:.2f} ({load()})", flush=True)
    with tempfile.TemporaryDirectory(prefix="glipca-e2e-") as tmp:
        tmp = Path(tmp)
        if not args.quick and args.only != "ja":
            if args.troll.exists():
                figures["troll"] = bench_input("troll", args.troll, "en", args.jobs, tmp,
                                               rounds=args.rounds, hourly=args.hourly)
            else:
                print(f"{args.troll} is absent: troll runs skipped")
        if args.only != "troll":
            ja = args.ja_file or tmp / f"ja{n_posts}.jsonl"
            if not ja.exists():
                generate(n_posts, ja)
            figures["ja"] = bench_input("ja", ja, "ja", args.jobs, tmp, warm=False,
                                        rounds=args.rounds)
    figures["free_cores_after"] = free_cores(args.jobs)
    print(f"free cores after: {figures['free_cores_after']:.2f} ({load()})", flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
