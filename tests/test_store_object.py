"""A count store on object storage (an fsspec URL): appends that race never
lose each other's posts, and the store analyses as a local one does.

``objfile://`` (tests/objectfs.py) has the semantics of S3 on local files:
no rename, files that appear whole, exclusive create.  The S3 tests run the
same against moto's S3 server, through s3fs.
"""

import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.counting import objectstore
from glipca.counting import store as store_module
from glipca.counting.objectstore import collect_garbage
from glipca.counting.store import ObjectCountStore
from glipca.counting.store import ConcurrentAppend, CountStore, LostRace
from glipca.datasets import make_trend_corpus

from . import objectfs  # noqa: F401 - registers objfile:// and noexcl://


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A planted corpus in one file and cut into four files, and a local store of the four."""
    folder = tmp_path_factory.mktemp("object-input")
    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=1, n_background=60,
                               posts_per_day=(150, 200), n_days=24, seed=8)
    whole = corpus.write_jsonl(folder / "whole.jsonl")
    lines = whole.read_text(encoding="utf-8").splitlines(True)
    parts = []
    for i, rows in enumerate(np.array_split(np.arange(len(lines)), 4)):
        path = folder / f"part{i}.jsonl"
        path.write_text("".join(lines[j] for j in rows), encoding="utf-8")
        parts.append(path)
    local = CountStore(folder / "local" / "store")
    for path in parts:
        local.append(path, lang="en", jobs=1)
    return whole, parts, local


def _ids(paths):
    return sorted(str(json.loads(line)["id"]) for p in paths
                  for line in p.read_text(encoding="utf-8").splitlines())


def _stored_ids(store):
    return sorted(store.read().posts.ids.to_pylist())


def _unnamed(store):
    """What collect_garbage would remove, less the vocabularies of older manifests
    (replaced by the latest's): files that appends which lost left behind."""
    folder = store.folder
    replaced = {json.loads((folder / "manifests" / n).read_text())["vocabulary"]
                for n in folder.fs.ls(f"{folder.path}/manifests", detail=False)
                for n in [n.rsplit("/", 1)[-1]]}
    return [r for r in collect_garbage(store, dry_run=True) if r not in replaced]


def same_store(a, b):
    """Two stores hold the same counts, posts, vocabulary and tallies."""
    ra, rb = a.read(), b.read()
    assert ra.counts.words == rb.counts.words
    assert ra.counts.periods.equals(rb.counts.periods)
    assert (ra.counts.counts != rb.counts.counts).nnz == 0
    assert ra.posts.n_posts > 0 and ra.posts.equals(rb.posts)
    assert a.words() == b.words()
    ma, mb = a.manifest(), b.manifest()
    for key in ("posts", "inputs", "report", "params", "words", "appends", "words_sha256"):
        assert ma[key] == mb[key], key


def _analyse(out, *args):
    ran = CliRunner().invoke(main, ["analyse", *map(str, args), "--out", str(out), "--lang", "en",
                                    "--resamples", "0", "--no-plots", "-q", "-j", "1", "--no-cache"])
    assert ran.exit_code == 0, ran.output
    return out


def test_a_store_at_a_url_analyses_as_the_local_store_and_the_files(planted, tmp_path):
    whole, parts, local = planted
    urls = {"objfile": f"objfile://{tmp_path}/obj/store", "memory": "memory://glipca-test/store",
            "file": f"file://{tmp_path}/file/store"}
    for url in urls.values():
        for path in parts:  # the CLI, as a user appends
            ran = CliRunner().invoke(main, ["count", str(path), "--store", url, "--append",
                                            "--lang", "en", "-q", "-j", "1"])
            assert ran.exit_code == 0, ran.output
    assert isinstance(CountStore(urls["objfile"]), ObjectCountStore)
    assert isinstance(CountStore(urls["memory"]), ObjectCountStore)
    # A file:// URL is the local folder: a lock and a rename work there.
    assert (tmp_path / "file" / "store" / "store.json").is_file()
    assert len(os.listdir(tmp_path / "obj" / "store" / "manifests")) == 4
    fresh = _analyse(tmp_path / "fresh", whole)
    stored = _analyse(tmp_path / "local", "--store", local.folder)
    for kind, url in urls.items():
        same_store(local, CountStore(url))
        got = _analyse(tmp_path / f"out-{kind}", "--store", url)
        for name in ("clusters.json", "posts.json", "series.csv", "peaks.csv"):
            assert (got / name).read_bytes() == (fresh / name).read_bytes(), (kind, name)
            assert (got / name).read_bytes() == (stored / name).read_bytes(), (kind, name)
        run = json.loads((got / "run.json").read_text(encoding="utf-8"))
        assert run["store"] == "store" and len(run["inputs"]) == 4
    assert len(json.loads((fresh / "clusters.json").read_text(encoding="utf-8"))["clusters"]) >= 1
    CountStore(urls["memory"]).folder.fs.rm("/glipca-test", recursive=True)


def test_racing_appends_lose_no_post(planted, tmp_path, monkeypatch):
    """Four appends (threads) reach the first manifest at once: three lose the
    race, write again on the winner's manifest, and every post is there once."""
    _, parts, local = planted
    url = f"objfile://{tmp_path}/store"
    commit, lost = ObjectCountStore._commit, []
    barrier = threading.Barrier(len(parts), timeout=60)
    after = ObjectCountStore.after_lost_race
    counted = []
    prepare = store_module.prepare_counts

    def together(self, doc, generation):
        if generation == 0:
            barrier.wait()  # all four have written their parts on the empty store
        return commit(self, doc, generation)

    def losing(self, attempt, race):
        lost.append(attempt)
        return after(self, attempt, race)

    def counting(*args, **kwargs):
        counted.append(1)
        return prepare(*args, **kwargs)

    monkeypatch.setattr(ObjectCountStore, "_commit", together)
    monkeypatch.setattr(ObjectCountStore, "after_lost_race", losing)
    monkeypatch.setattr(store_module, "prepare_counts", counting)
    errors = []

    def append(path):
        try:
            CountStore(url).append(path, lang="en", jobs=1)
        except BaseException as err:  # noqa: BLE001 - told below
            errors.append(err)

    threads = [threading.Thread(target=append, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    store = CountStore(url)
    assert _stored_ids(store) == _ids(parts)
    assert store.manifest()["appends"] == 4
    assert len(lost) >= 3  # three lost the first race at least
    assert len(counted) == 4  # each counted once, however often it wrote
    assert _unnamed(store) == []  # the losers removed what they wrote
    got, want = store.read().counts, local.read().counts
    assert got.words == want.words and (got.counts != want.counts).nnz == 0


_APPEND = """
import sys
sys.path.insert(0, sys.argv[1])
import tests.objectfs
from glipca.counting.store import CountStore, ObjectCountStore

after = ObjectCountStore.after_lost_race

def losing(self, attempt, lost):
    print("lost", flush=True)
    return after(self, attempt, lost)

ObjectCountStore.after_lost_race = losing
print(CountStore(sys.argv[2]).append(sys.argv[3], lang="en", jobs=1)["added"])
"""


def test_appends_from_several_processes_add_up(planted, tmp_path):
    _, parts, local = planted
    url = f"objfile://{tmp_path}/store"
    root = os.path.dirname(os.path.dirname(__file__))
    runs = [subprocess.Popen([sys.executable, "-c", _APPEND, root, url, str(p)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for p in parts]
    outs = [r.communicate(timeout=300) for r in runs]
    assert all(r.returncode == 0 for r in runs), [e for _, e in outs]
    added = sum(int(o.split()[-1]) for o, _ in outs)
    store = CountStore(url)
    assert added == len(_ids(parts))
    assert _stored_ids(store) == _ids(parts)
    assert store.manifest()["appends"] == 4
    assert _unnamed(store) == []
    got, want = store.read().counts, local.read().counts
    assert got.words == want.words and (got.counts != want.counts).nnz == 0
    print(f"lost races: {sum(o.count('lost') for o, _ in outs)}")


def test_a_lost_race_is_written_again_without_counting_again(planted, tmp_path, monkeypatch):
    """An append that loses the race to another (made while it wrote its parts)
    maps its words anew on the winner's manifest: nothing lost, nothing twice."""
    _, parts, local = planted
    url = f"objfile://{tmp_path}/store"
    CountStore(url).append(parts[0], lang="en", jobs=1)
    commit, counted = ObjectCountStore._commit, []
    prepare = store_module.prepare_counts

    def overtaken(self, doc, generation):
        monkeypatch.setattr(ObjectCountStore, "_commit", commit)
        CountStore(url).append(parts[2], lang="en", jobs=1)  # wins generation 2
        return commit(self, doc, generation)

    monkeypatch.setattr(ObjectCountStore, "_commit", overtaken)
    monkeypatch.setattr(store_module, "prepare_counts",
                        lambda *a, **k: counted.append(1) or prepare(*a, **k))
    done = CountStore(url).append(parts[1], lang="en", jobs=1)
    assert len(counted) == 2  # parts[1] once, parts[2] once
    assert done["added"] == len(_ids(parts[1:2]))
    store = CountStore(url)
    doc = store.manifest()
    assert doc["appends"] == 3
    assert _stored_ids(store) == _ids(parts[:3])
    # Parts of the lost attempt are gone.
    assert _unnamed(store) == []
    assert len({p.rsplit("-", 1)[1] for ps in doc["parts"].values() for p in ps}) == 3
    CountStore(url).append(parts[3], lang="en", jobs=1)
    got, want = store.read().counts, local.read().counts
    assert got.words == want.words and (got.counts != want.counts).nnz == 0


def test_an_append_that_always_loses_gives_up_in_one_line(planted, tmp_path, monkeypatch):
    _, parts, _ = planted
    url = f"objfile://{tmp_path}/store"
    CountStore(url).append(parts[0], lang="en", jobs=1)
    before = _stored_ids(CountStore(url))

    def taken(self, doc, generation):
        raise LostRace("taken")

    monkeypatch.setattr(ObjectCountStore, "_commit", taken)
    monkeypatch.setattr(objectstore.time, "sleep", lambda s: None)
    with pytest.raises(ConcurrentAppend, match=f"first {objectstore.RACES} times in a row"):
        CountStore(url).append(parts[1], lang="en", jobs=1)
    monkeypatch.undo()
    assert _stored_ids(CountStore(url)) == before
    found = [f for f in (tmp_path / "store" / "parts").rglob("posts.parquet")]
    assert len(found) == sum(len(p) for p in CountStore(url).manifest()["parts"].values())


def test_an_interrupted_append_leaves_the_store_as_it_was(planted, tmp_path, monkeypatch):
    _, parts, _ = planted
    url = f"objfile://{tmp_path}/store"
    CountStore(url).append(parts[0], lang="en", jobs=1)
    before = CountStore(url).read()

    def interrupted(self, doc, generation):
        raise KeyboardInterrupt

    monkeypatch.setattr(ObjectCountStore, "_commit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        CountStore(url).append(parts[1], lang="en", jobs=1)
    monkeypatch.undo()
    after = CountStore(url).read()
    assert after.posts.equals(before.posts)
    assert (after.counts.counts != before.counts.counts).nnz == 0
    # What the interrupted append wrote went with it.
    assert len(list((tmp_path / "store" / "parts").rglob("posts.parquet"))) == \
        sum(len(p) for p in CountStore(url).manifest()["parts"].values())
    assert len(list((tmp_path / "store" / "words").iterdir())) == 1


_KILL = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import tests.objectfs
from glipca.counting.store import CountStore, ObjectCountStore

def killed(*args, **kwargs):  # the parts are written, the manifest is not
    os.kill(os.getpid(), signal.SIGKILL)

ObjectCountStore._commit = killed
CountStore(sys.argv[2]).append(sys.argv[3], lang="en", jobs=1)
"""


def test_a_killed_append_leaves_files_that_gc_removes_once_they_cannot_be_named(planted,
                                                                                 tmp_path):
    import signal

    _, parts, _ = planted
    url = f"objfile://{tmp_path}/store"
    store = CountStore(url)
    store.append(parts[0], lang="en", jobs=1)
    before = _stored_ids(store)
    root = os.path.dirname(os.path.dirname(__file__))
    ran = subprocess.run([sys.executable, "-c", _KILL, root, url, str(parts[1])])
    assert ran.returncode == -signal.SIGKILL
    files = lambda: sorted((tmp_path / "store" / "parts").rglob("posts.parquet"))  # noqa: E731
    named = sum(len(p) for p in store.manifest()["parts"].values())
    assert len(files()) > named  # left behind
    assert _stored_ids(store) == before  # and read by no one
    # Of generation 2, which no manifest has yet: an append may still name them.
    assert collect_garbage(store) == []
    store.append(parts[2], lang="en", jobs=1)  # makes generation 2
    removed = collect_garbage(store)
    assert removed and all(r.startswith(("parts/", "words/")) for r in removed)
    doc = store.manifest()
    assert len(files()) == sum(len(p) for p in doc["parts"].values())
    # The vocabulary the latest manifest replaced went too; the first manifest
    # still reads (its words start the latest vocabulary).
    assert len(list((tmp_path / "store" / "words").iterdir())) == 1
    first = json.loads((tmp_path / "store" / "manifests" / "000000000001.json").read_text())
    assert store._vocabulary(first) == store.words()[:first["words"]]
    assert _stored_ids(store) == _ids([parts[0], parts[2]])


def test_a_file_system_without_exclusive_create_is_refused_in_one_line(planted, tmp_path):
    _, parts, _ = planted
    url = f"noexcl://{tmp_path}/store"
    ran = CliRunner().invoke(main, ["count", str(parts[0]), "--store", url, "--append",
                                    "--lang", "en", "-q", "-j", "1"])
    assert ran.exit_code == 2
    lines = ran.output.strip().splitlines()
    assert len(lines) == 1 and "cannot create a file exclusively" in lines[0]
    assert not (tmp_path / "store" / "manifests").exists()


def test_inputs_at_urls_are_refused_without_dask_in_one_line(planted, tmp_path):
    _, parts, _ = planted
    ran = CliRunner().invoke(main, ["count", f"file://{parts[0]}", "--store",
                                    f"objfile://{tmp_path}/store", "--append", "--lang", "en", "-q"])
    assert ran.exit_code == 2
    assert "inputs at URLs are appended on Dask" in ran.output
    assert len(ran.output.strip().splitlines()) == 1


def test_a_damaged_part_of_a_url_store_is_named(planted, tmp_path):
    _, parts, _ = planted
    url = f"objfile://{tmp_path}/store"
    store = CountStore(url)
    store.append(parts[0], lang="en", jobs=1)
    name = sorted(p for ps in store.manifest()["parts"].values() for p in ps)[0]
    path = tmp_path / "store" / name / "posts.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"part {name} does not match its checksum"):
        store.read()


# -- S3, through s3fs, against moto's server ---------------------------------


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """(storage options, bucket) of a moto S3 server on a free local port."""
    pytest.importorskip("s3fs", reason="s3fs is not installed (pip install 'glipca[s3]')")
    server = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto = server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    options = {"key": "testing", "secret": "testing", "endpoint_url": f"http://127.0.0.1:{port}",
               "client_kwargs": {"region_name": "us-east-1"}}
    import s3fs

    fs = s3fs.S3FileSystem(**options)
    fs.call_s3("create_bucket", Bucket="glipca-test")
    yield options, fs
    moto.stop()


def test_this_s3_server_enforces_conditional_writes(s3):
    _, fs = s3
    with fs.open("glipca-test/once", "xb") as fh:
        fh.write(b"first")
    with pytest.raises(FileExistsError):
        with fs.open("glipca-test/once", "xb") as fh:
            fh.write(b"second")
    assert fs.cat("glipca-test/once") == b"first"


def test_an_s3_store_appends_races_and_analyses_as_the_local_store(s3, planted, tmp_path,
                                                                   monkeypatch):
    import fsspec

    options, fs = s3
    whole, parts, local = planted
    url = "s3://glipca-test/races/store"
    commit = ObjectCountStore._commit
    barrier = threading.Barrier(2, timeout=60)

    def together(self, doc, generation):
        if generation == 0:
            barrier.wait()
        return commit(self, doc, generation)

    monkeypatch.setattr(ObjectCountStore, "_commit", together)
    errors = []
    threads = [threading.Thread(target=lambda p=p: _append_or_tell(url, options, p, errors))
               for p in parts[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monkeypatch.undo()
    assert not errors
    # The CLI appends the rest, with the endpoint from fsspec's configuration.
    monkeypatch.setitem(fsspec.config.conf, "s3", options)
    for path in parts[2:]:
        ran = CliRunner().invoke(main, ["count", str(path), "--store", url, "--append",
                                        "--lang", "en", "-q", "-j", "1"])
        assert ran.exit_code == 0, ran.output
    store = CountStore(url, storage_options=options)
    assert _stored_ids(store) == _ids(parts)
    assert store.manifest()["appends"] == 4 and _unnamed(store) == []
    got = store.read().counts
    want = local.read().counts
    assert got.words == want.words and (got.counts != want.counts).nnz == 0
    stored = _analyse(tmp_path / "s3", "--store", url)
    fresh = _analyse(tmp_path / "fresh", whole)
    assert (stored / "clusters.json").read_bytes() == (fresh / "clusters.json").read_bytes()


def _append_or_tell(url, options, path, errors):
    try:
        CountStore(url, storage_options=options).append(path, lang="en", jobs=1)
    except BaseException as err:  # noqa: BLE001 - told by the test
        errors.append(err)


def test_verify_info_and_gc_of_a_url_store(planted, tmp_path):
    _, parts, _ = planted
    url = f"objfile://{tmp_path}/store"
    for path in parts[:2]:
        CountStore(url).append(path, lang="en", jobs=1)
    verify = CliRunner().invoke(main, ["store", "verify", url])
    assert verify.exit_code == 0, verify.output
    assert verify.output.strip().splitlines()[-1] == f"{url}: sound"
    info = CliRunner().invoke(main, ["store", "info", url])
    assert info.exit_code == 0, info.output
    assert f"store: {url} (2 appends," in info.output
    assert f"posts: {len(_ids(parts[:2]))}," in info.output
    # The first vocabulary was replaced by the second: gc removes it, and the store still verifies.
    dry = CliRunner().invoke(main, ["store", "gc", url, "--dry-run"])
    assert dry.exit_code == 0 and dry.output.splitlines()[0].startswith("words/000000000001-")
    assert (tmp_path / "store" / dry.output.splitlines()[0]).exists()
    gc = CliRunner().invoke(main, ["store", "gc", url])
    assert gc.exit_code == 0 and not (tmp_path / "store" / dry.output.splitlines()[0]).exists()
    assert CliRunner().invoke(main, ["store", "verify", url]).exit_code == 0
    # A damaged part is found and named.
    doc = CountStore(url).manifest()
    name = sorted(p for ps in doc["parts"].values() for p in ps)[-1]
    (tmp_path / "store" / name / "posts.parquet").write_bytes(b"not parquet")
    verify = CliRunner().invoke(main, ["store", "verify", url])
    assert verify.exit_code == 2
    assert f"{url}: part {name}: " in verify.output
    nothing = CliRunner().invoke(main, ["store", "info", f"objfile://{tmp_path}/none"])
    assert nothing.exit_code == 2 and "not a count store (no manifests)" in nothing.output
