"""Appends racing for a count store on S3 (moto's server, through s3fs).

Starts moto's S3 server on a free local port, cuts a generated English
corpus into ``--appends`` files and runs one ``glipca count FILE --store
s3://bench/store --append`` process per file, all at once (the endpoint
given as fsspec's configuration, ``FSSPEC_S3_ENDPOINT_URL``).  Reports the
wall time of the racing appends, the races lost (appends that wrote their
parts again on a newer manifest), whether every post is in the store
exactly once, the time of one append alone, and the time of ``glipca
analyse --store s3://...`` against the analysis of the file.

    pip install "moto[server]" "s3fs>=2025.7"
    python benchmarks/store_object_races.py --appends 8 --posts-per-day 300
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_APPEND = """
import sys, time
from glipca.counting.store import CountStore, ObjectCountStore

after = ObjectCountStore.after_lost_race

def losing(self, attempt, lost):
    print("lost", flush=True)
    return after(self, attempt, lost)

ObjectCountStore.after_lost_race = losing
t = time.perf_counter()
done = CountStore(sys.argv[1]).append(sys.argv[2], lang="en", jobs=1)
print("added", done["added"], time.perf_counter() - t)
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--appends", type=int, default=8)
    ap.add_argument("--posts-per-day", type=int, default=300)
    ap.add_argument("--days", type=int, default=30)
    args = ap.parse_args()
    from moto.server import ThreadedMotoServer

    import numpy as np
    import s3fs

    from glipca.counting.store import CountStore
    from glipca.datasets import make_trend_corpus

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = dict(os.environ, FSSPEC_S3_ENDPOINT_URL=f"http://127.0.0.1:{port}",
               AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    os.environ.update(env)
    s3fs.S3FileSystem(endpoint_url=env["FSSPEC_S3_ENDPOINT_URL"]).call_s3("create_bucket", Bucket="bench")
    folder = Path(tempfile.mkdtemp(prefix="glipca-races-"))
    corpus = make_trend_corpus(lang="en", n_trends=4, n_close_pairs=1, n_background=80,
                               posts_per_day=(args.posts_per_day, args.posts_per_day + 50),
                               n_days=args.days, seed=4)
    whole = corpus.write_jsonl(folder / "whole.jsonl")
    lines = whole.read_text(encoding="utf-8").splitlines(True)
    files = []
    for i, rows in enumerate(np.array_split(np.arange(len(lines)), args.appends)):
        files.append(folder / f"part{i}.jsonl")
        files[-1].write_text("".join(lines[j] for j in rows), encoding="utf-8")
    options = {"endpoint_url": env["FSSPEC_S3_ENDPOINT_URL"]}

    def race(url, paths):
        t = time.perf_counter()
        runs = [subprocess.Popen([sys.executable, "-c", _APPEND, url, str(p)], env=env,
                                 stdout=subprocess.PIPE, text=True) for p in paths]
        outs = [r.communicate()[0] for r in runs]
        assert all(r.returncode == 0 for r in runs)
        return time.perf_counter() - t, outs

    wall, outs = race("s3://bench/store", files)
    store = CountStore("s3://bench/store", storage_options=options)
    ids = store.read().posts.ids.to_pylist()
    want = [str(json.loads(x)["id"]) for x in lines]
    alone, alone_outs = race("s3://bench/alone", files[:1])
    t = time.perf_counter()
    subprocess.run(["glipca", "analyse", "--store", "s3://bench/store", "--out", str(folder / "s"),
                    "--lang", "en", "--resamples", "0", "--no-plots", "-q", "-j", "1"], env=env, check=True)
    analyse_store = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run(["glipca", "analyse", str(whole), "--out", str(folder / "f"), "--lang", "en",
                    "--resamples", "0", "--no-plots", "-q", "-j", "1", "--no-cache"], env=env, check=True)
    analyse_file = time.perf_counter() - t
    same = (folder / "s" / "clusters.json").read_bytes() == (folder / "f" / "clusters.json").read_bytes()
    print(json.dumps({
        "posts": len(lines), "appends": args.appends, "racing_wall_s": round(wall, 2),
        "lost_races": sum(o.count("lost") for o in outs),
        "append_s": [round(float(o.split()[-1]), 2) for o in outs],
        "one_append_alone_s": round(float(alone_outs[0].split()[-1]), 2),
        "one_append_alone_wall_s": round(alone, 2),
        "every_post_once": sorted(ids) == sorted(want), "manifests": store.manifest()["appends"],
        "analyse_store_s": round(analyse_store, 2), "analyse_file_s": round(analyse_file, 2),
        "same_clusters_json": same}, indent=1))
    server.stop()


if __name__ == "__main__":
    main()
