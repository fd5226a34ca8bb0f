"""A count store filled on Dask: the workers write the parts, the store is the local append's."""

import json
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.counting.store import CountStore
from glipca.datasets import make_trend_corpus


@pytest.fixture(scope="module")
def halves(tmp_path_factory):
    """Two files of one corpus: the second repeats some posts of the first
    (same ids) and holds copies of its own lines (same time and text)."""
    folder = tmp_path_factory.mktemp("store-dask-input")
    corpus = make_trend_corpus(lang="en", n_trends=2, n_close_pairs=0, n_background=40,
                               posts_per_day=(60, 90), n_days=14, seed=11)
    lines = corpus.write_jsonl(folder / "whole.jsonl").read_text(encoding="utf-8").splitlines(True)
    cut = len(lines) // 2
    first, second = lines[:cut], lines[cut:]
    second = first[-40:] + second[:300] + second[100:130] + second[300:]
    paths = [folder / "a.jsonl", folder / "b.jsonl"]
    for path, part in zip(paths, (first, second)):
        path.write_text("".join(part), encoding="utf-8")
    return paths


def test_dask_with_a_store_fails_in_one_line_without_dask(halves, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "glipca.counting.dask", None)
    ran = CliRunner().invoke(main, ["count", str(halves[0]), "--store", str(tmp_path / "s"),
                                    "--append", "--dask", "--lang", "en", "-q"])
    assert ran.exit_code == 2
    assert ran.output.strip().splitlines() == ["glipca: error: --dask needs Dask: pip install "
                                               "'glipca[dask]'"]
    assert not (tmp_path / "s" / "store.json").exists()  # nothing counted here instead


def test_a_store_at_a_url_without_its_file_system_fails_in_one_line(halves, tmp_path):
    with pytest.raises(ValueError, match=r"^nosuchfs://bucket/store: .*nosuchfs") as err:
        CountStore("nosuchfs://bucket/store")
    assert "\n" not in str(err.value)
    ran = CliRunner().invoke(main, ["count", str(halves[0]), "--store", "nosuchfs://b/s",
                                    "--append", "--lang", "en", "-q"])
    assert ran.exit_code == 2 and len(ran.output.strip().splitlines()) == 1
    assert ran.output.startswith("glipca: error: nosuchfs://b/s: ")


def test_inputs_at_urls_need_the_language(halves, tmp_path):
    # The language is detected from a sample read on the client, from local
    # files: refused in one line before any cluster is reached, on both paths.
    from glipca.counting.dask import append_on_dask, count_on_dask

    url = halves[0].as_uri()
    with pytest.raises(ValueError, match=r"^file://.*a\.jsonl: lang='auto' .*--lang"):
        append_on_dask(CountStore(tmp_path / "store"), [url])
    with pytest.raises(ValueError, match=r"^file://.*a\.jsonl: lang='auto' .*--lang"):
        count_on_dask([url])
    assert not (tmp_path / "store").exists()


distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def same_store(a, b):
    """Two stores hold the same counts, posts, vocabulary, parts and report."""
    ra, rb = a.read(), b.read()
    assert ra.counts.words == rb.counts.words
    assert ra.counts.periods.equals(rb.counts.periods)
    assert (ra.counts.posts == rb.counts.posts).all()
    assert (ra.counts.counts != rb.counts.counts).nnz == 0
    assert ra.posts.n_posts > 0 and ra.posts.equals(rb.posts)
    assert a.words() == b.words()
    ma, mb = a.manifest(), b.manifest()
    for key in ("parts", "posts", "inputs", "report", "params", "words", "appends", "words_sha256"):
        assert ma[key] == mb[key], key
    # Each part holds the same posts, in the same order.
    assert {k: v["posts"] for k, v in ma["checks"].items()} == \
        {k: v["posts"] for k, v in mb["checks"].items()}


@pytest.mark.parametrize("dedupe", [False, True])
def test_a_dask_append_writes_the_local_appends_store(halves, tmp_path, client, dedupe):
    from glipca.counting.dask import append_on_dask

    local, remote = CountStore(tmp_path / "local"), CountStore(tmp_path / "dask")
    done_local, done_dask = [], []
    for path in halves:
        done_local.append(local.append(path, lang="en", jobs=1, drop_duplicates=dedupe))
        # Small byte ranges: each file is cut into several tasks.
        done_dask.append(append_on_dask(remote, path, lang="en", client=client, blocksize=20_000,
                                        drop_duplicates=dedupe))
    assert done_dask == done_local
    # The second file repeats 40 ids of the first, and 30 of its own lines (copies).
    assert done_dask[1]["repeated"] == (40 if dedupe else 70)
    same_store(local, remote)
    # Appended again: nothing is counted twice.
    again = append_on_dask(remote, halves, lang="en", client=client, drop_duplicates=dedupe)
    assert again["added"] == 0 and again["skipped_inputs"] == 2


def test_cli_count_on_dask_into_a_store(halves, tmp_path):
    local = CountStore(tmp_path / "local")
    for path in halves:
        local.append(path, lang="en", jobs=1)
    folder = tmp_path / "dask"
    for path in halves:
        ran = CliRunner().invoke(main, ["count", str(path), "--store", str(folder), "--append",
                                        "--dask", "--workers", "2", "--block-size", "1",
                                        "--lang", "en", "-q"])
        assert ran.exit_code == 0, ran.output
    same_store(local, CountStore(folder))
    assert not list(folder.glob("parts/*/*/.*"))  # nothing half written left behind
    assert json.loads((folder / "store.json").read_text(encoding="utf-8"))["appends"] == 2


def test_a_dask_append_to_object_storage_writes_the_local_appends_store(halves, tmp_path, client,
                                                                       monkeypatch):
    """Workers write the parts to an objfile:// store (S3's semantics, tests/objectfs.py),
    the inputs given as file:// URLs; a race lost to another append is written
    again from the counts the workers hold."""
    from glipca.counting import dask as on_dask
    from glipca.counting.store import ObjectCountStore

    from . import objectfs  # noqa: F401 - registers objfile://

    lines = halves[1].read_text(encoding="utf-8").splitlines(True)[:50]
    extra = tmp_path / "extra.jsonl"
    extra.write_text("".join(json.dumps(dict(json.loads(x), id=f"extra-{i}")) + "\n"
                             for i, x in enumerate(lines)), encoding="utf-8")
    local = CountStore(tmp_path / "local")
    for path in (halves[0], extra, halves[1]):
        local.append(path, lang="en", jobs=1, drop_duplicates=True)
    url = f"objfile://{tmp_path}/object/store"
    store = CountStore(url)
    assert isinstance(store, ObjectCountStore)
    commit, counted = ObjectCountStore._commit, []
    count = on_dask.append._count

    def overtaken(self, doc, generation):  # another append makes the manifest meanwhile
        monkeypatch.setattr(ObjectCountStore, "_commit", commit)
        CountStore(url).append(extra, lang="en", jobs=1, drop_duplicates=True)
        return commit(self, doc, generation)

    monkeypatch.setattr(on_dask.append, "_count", lambda *a: counted.append(1) or count(*a))
    kwargs = dict(lang="en", client=client, blocksize=20_000, drop_duplicates=True)
    done = [on_dask.append_on_dask(store, f"file://{halves[0]}", **kwargs)]
    monkeypatch.setattr(ObjectCountStore, "_commit", overtaken)
    done.append(on_dask.append_on_dask(store, [str(halves[0]), f"file://{halves[1]}"], **kwargs))
    assert done[1]["skipped_inputs"] == 1 and done[1]["added"] > 0
    assert len(counted) == 2  # halves[1] counted once, written twice
    assert store.manifest()["appends"] == 3
    ra, rb = local.read(), store.read()
    assert ra.counts.words == rb.counts.words and (ra.counts.counts != rb.counts.counts).nnz == 0
    assert ra.posts.equals(rb.posts)
    assert local.manifest()["inputs"] == store.manifest()["inputs"]
    # The CLI, inputs as URLs, into a fresh object store, as into a local one.
    for name in ("cli-local", "objfile://" + str(tmp_path / "cli" / "store")):
        for path in halves:
            ran = CliRunner().invoke(main, ["count", f"file://{path}", "--store",
                                            str(tmp_path / name) if "://" not in name else name,
                                            "--append", "--dask", "--scheduler",
                                            client.scheduler.address, "--block-size", "1",
                                            "--lang", "en", "-q"])
            assert ran.exit_code == 0, ran.output
    ra, rb = CountStore(tmp_path / "cli-local").read(), CountStore(name).read()
    assert ra.posts.n_posts > 0 and ra.posts.equals(rb.posts)
    assert ra.counts.words == rb.counts.words and (ra.counts.counts != rb.counts.counts).nnz == 0
