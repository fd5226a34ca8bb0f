"""Peak memory of ``glipca analyse`` on a flood of words that never repeat.

Posts of 20 random 10-letter words (:func:`glipca.datasets.write_word_flood`):
50,000 posts make 1 million distinct words, 200,000 make 4 million and
800,000 make 16 million.  Each size runs ``glipca analyse`` in a fresh
process (no cache, one tokenising process) and prints its exit code, its
last line, its time and its peak resident memory (``ru_maxrss`` of the
child).

    python benchmarks/flood.py [--millions 1 4 16] [--folder DIR]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from glipca.datasets import write_word_flood

WORDS_PER_POST = 20


def run(millions, folder):
    n_posts = millions * 1_000_000 // WORDS_PER_POST
    path = write_word_flood(folder / f"flood-{millions}m.jsonl", n_posts,
                            words_per_post=WORDS_PER_POST)
    start = time.perf_counter()
    ran = subprocess.run([sys.executable, "-m", "glipca.cli", "analyse", str(path), "--out",
                          str(folder / f"out-{millions}m"), "--lang", "en", "--no-cache", "-j", "1",
                          "-q", "--force", "--no-plots"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    # The largest ru_maxrss of any child so far: the sizes run in increasing
    # order, so each row's is its own run's.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    last = (ran.stderr.strip().splitlines() or [""])[-1]
    print(f"{millions:>3} M distinct words ({n_posts} posts, {path.stat().st_size / 2**20:.0f} MiB): "
          f"exit {ran.returncode}, {seconds:.1f} s, peak {peak / 1024:.0f} MiB; {last}",
          flush=True)
    path.unlink()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--folder", type=Path, help="Where the floods are written [a temporary folder].")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        for m in sorted(args.millions):
            run(m, Path(tmp))


if __name__ == "__main__":
    main()
