"""Counting on Dask gives the local path's counts and report, cell for cell."""

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

distributed = pytest.importorskip("distributed")

from glipca.counting.cache import read_counts  # noqa: E402
from glipca.cli import main  # noqa: E402
from glipca.datasets import make_trend_corpus  # noqa: E402
from glipca.counting.dask import count_on_dask, plan_tasks  # noqa: E402
from glipca.ingest import InputError  # noqa: E402
from glipca.counting.postwords import word_columns  # noqa: E402
from glipca.counting.prepare import prepare_counts  # noqa: E402

from .conftest import shared_dataset  # noqa: E402

# Small ranges, so that every plain file is cut into several tasks.
BLOCK = 150_000


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def corpus():
    return make_trend_corpus(
        lang="en", seed=5, n_trends=5, n_close_pairs=1, posts_per_day=(300, 500), n_background=80
    )


@pytest.fixture(scope="module")
def files(corpus, tmp_path_factory):
    """The corpus in four files: plain JSON lines, gzip'd, and one with bad lines."""
    folder = tmp_path_factory.mktemp("posts")
    whole = corpus.write_jsonl(folder / "all.jsonl").read_text(encoding="utf-8").splitlines(True)
    parts = np.array_split(np.arange(len(whole)), 4)
    names = ["a.jsonl", "b.jsonl.gz", "c.jsonl", "d.jsonl"]
    out = []
    for name, idx in zip(names, parts):
        lines = [whole[i] for i in idx]
        if name == "c.jsonl":
            # Bad records in later ranges: their line numbers must be the
            # file's, not the task's.
            lines[3000] = "{not json\n"
            lines[4100] = '{"id": 1, "created_at": "yesterday", "text": "x"}\n'
            lines[4200] = "\n"
        path = folder / name
        if name.endswith(".gz"):
            import gzip

            with gzip.open(path, "wt", encoding="utf-8") as fh:
                fh.writelines(lines)
        else:
            path.write_text("".join(lines), encoding="utf-8")
        out.append(str(path))
    (folder / "all.jsonl").unlink()
    return out


def assert_same_posts(local, dask):
    """The posts' words, ids, times and texts of the local and Dask paths agree."""
    assert local.posts is not None and dask.posts is not None
    assert local.posts.n_posts == local.report.used
    assert local.posts.equals(dask.posts)


def assert_same_counts(a, b):
    assert a.words == b.words
    assert a.periods.equals(b.periods)
    np.testing.assert_array_equal(a.posts, b.posts)
    assert a.counts.shape == b.counts.shape
    assert (a.counts != b.counts).nnz == 0
    assert (a.freq, a.tz) == (b.freq, b.tz)


def test_plan_cuts_plain_files_only(files):
    tasks, empty = plan_tasks(files, blocksize=BLOCK)
    kinds = {}
    for t in tasks:
        kinds.setdefault(t.name, set()).add(t.kind)
    assert kinds[files[1]] == {"file"}  # gzip cannot be cut
    assert kinds[files[0]] == {"range"}
    assert sum(t.name == files[0] for t in tasks) > 2
    assert [t.index for t in tasks] == list(range(len(tasks)))
    assert empty == []


def test_counts_and_report_identical(client, files):
    local = prepare_counts(files, lang="en", on_error="skip")
    dask = count_on_dask(files, client=client, lang="en", on_error="skip", blocksize=BLOCK)
    assert_same_counts(local.counts, dask.counts)
    assert_same_posts(local, dask)
    assert local.report.as_dict() == dask.report.as_dict()
    assert local.report.n_skipped == 2
    assert (local.params, local.key) == (dask.params, dask.key)


def test_options_and_other_periods(client, files):
    kw = dict(lang="en", on_error="skip", tz="Asia/Tokyo", freq="12h", drop_retweets=True,
              tokenizer_options={"extra_stop_words": ["w0001", "w0002"]})
    local = prepare_counts(files, **kw)
    dask = count_on_dask(files, client=client, blocksize=BLOCK, **kw)
    assert_same_counts(local.counts, dask.counts)
    assert local.report.as_dict() == dask.report.as_dict()


def test_pruning_on_workers(client, files):
    local = prepare_counts(files, lang="en", on_error="skip").counts.prune(50, 5)
    dask = count_on_dask(files, client=client, lang="en", on_error="skip", blocksize=BLOCK,
                         min_count=50, min_periods=5, n_buckets=3)
    assert 0 < dask.counts.n_words < 200
    assert_same_counts(local, dask.counts)


def test_first_error_in_input_order(client, files):
    with pytest.raises(InputError) as local:
        prepare_counts(files, lang="en")
    with pytest.raises(InputError) as dask:
        count_on_dask(files, client=client, lang="en", blocksize=BLOCK)
    assert str(dask.value) == str(local.value)
    assert str(dask.value).startswith(f"{files[2]}:3001: ")


def test_fsspec_urls(client, files):
    # file:// goes through fsspec, as s3:// would: ranges are read through
    # it, and the gzip'd file is copied to the worker and read there.
    glob = "file://" + os.path.join(os.path.dirname(files[0]), "?.jsonl*")
    local = prepare_counts(files, lang="en", on_error="skip")
    dask = count_on_dask(glob, client=client, lang="en", on_error="skip", blocksize=BLOCK)
    assert_same_counts(local.counts, dask.counts)
    assert dask.report.files == ["file://" + f for f in files]
    assert dask.report.as_dict()["skipped"] == local.report.as_dict()["skipped"]
    assert dask.key is None


def _cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_cli_count_and_analyse(client, corpus, tmp_path):
    """``glipca count --dask`` writes the local counts; analyse on them clusters alike."""
    posts = str(corpus.write_jsonl(tmp_path / "posts.jsonl"))
    address = client.scheduler.address
    common = ["--lang", "en", "--cache-dir", tmp_path / "cache"]
    _cli("count", posts, "--out", tmp_path / "local", "--no-cache", "--lang", "en", "-q")
    _cli("count", posts, "--out", tmp_path / "dask", "--scheduler", address, "--block-size", 1, "-q", *common)
    (a, ma), (b, mb) = read_counts(tmp_path / "local"), read_counts(tmp_path / "dask")
    assert_same_counts(a, b)
    assert ma == mb

    # The Dask run stored its counts in the cache, where analyse finds them.
    fast = ["--resamples", 0, "--posts", 0, "--no-plots"]
    ran = _cli("analyse", posts, "--out", tmp_path / "on-dask", *common, *fast)
    assert "counts: from cache" in ran.output
    _cli("analyse", posts, "--out", tmp_path / "on-local", "--no-cache", "--lang", "en", *fast, "-q")
    on_dask = json.loads((tmp_path / "on-dask" / "clusters.json").read_text(encoding="utf-8"))
    on_local = json.loads((tmp_path / "on-local" / "clusters.json").read_text(encoding="utf-8"))
    for doc in (on_dask, on_local):
        doc["summary"].pop("counts_from_cache", None)
    assert on_dask == on_local
    assert len(on_dask["clusters"]) >= 3


def test_troll_tweets_slice(client, tmp_path):
    path = shared_dataset("russian_troll_tweets_2016q4")
    with open(path, "rb") as fh:
        head = b"".join(line for _, line in zip(range(30_000), fh))
    part = tmp_path / "troll.jsonl"
    part.write_bytes(head)
    local = prepare_counts([part], lang="en", on_error="skip")
    dask = count_on_dask([part], client=client, lang="en", on_error="skip", blocksize=1 << 20)
    assert local.counts.n_words > 1000
    assert_same_counts(local.counts, dask.counts)
    assert local.report.as_dict() == dask.report.as_dict()


def test_drop_duplicates(client, files, tmp_path):
    """Copies in the same range, other ranges, other files and a gzip'd file."""
    import gzip

    def read(path):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            return fh.readlines()

    a, b, c = (read(f) for f in files[:3])
    rng = np.random.default_rng(0)
    copies = [a[i] for i in rng.choice(len(a), 400)] + [b[i] for i in rng.choice(len(b), 100)]
    dup = [tmp_path / "x.jsonl", tmp_path / "y.jsonl.gz", tmp_path / "z.jsonl"]
    dup[0].write_text("".join(a + copies[:150] + a[:20]), encoding="utf-8")
    with gzip.open(dup[1], "wt", encoding="utf-8") as fh:
        fh.writelines(b + copies[150:300])
    dup[2].write_text("".join(copies[300:] + c), encoding="utf-8")
    dup = [str(f) for f in dup]
    kw = dict(lang="en", on_error="skip", drop_duplicates=True)
    local = prepare_counts(dup, **kw)
    dask = count_on_dask(dup, client=client, blocksize=BLOCK, **kw)
    assert local.report.dropped["duplicate"] >= 500
    assert_same_counts(local.counts, dask.counts)
    assert local.report.as_dict() == dask.report.as_dict()
    assert local.key == dask.key
    assert_same_posts(local, dask)
    pruned = count_on_dask(dup, client=client, blocksize=BLOCK, min_count=30, **kw)
    assert_same_counts(local.counts.prune(30), pruned.counts)
    columns = word_columns(local.counts.words, pruned.counts.words)
    assert local.posts.select_words(columns).equals(pruned.posts)


def test_cache_key_is_the_same_on_both_paths(client, files, tmp_path):
    """One set of options, one key: counts made on Dask are reused locally."""
    from glipca.counting.options import count_options

    options = count_options(on_error="skip", tz="utc", drop_retweets=True,
                            tokenizer_options={"extra_stop_words": ["trend"]})
    dask = count_on_dask(files, options, client=client, blocksize=BLOCK, cache=tmp_path)
    local = prepare_counts(files, options, jobs=1, cache=tmp_path)
    assert dask.options == local.options
    assert dask.options.lang == "en" and dask.options.tz == "UTC"
    assert (dask.params, dask.key) == (local.params, local.key)
    assert not dask.from_cache and local.from_cache
    assert_same_counts(dask.counts, local.counts)
    assert_same_posts(local, dask)


def test_hostile_files_identical_on_both_paths(client, corpus, tmp_path):
    """Other encodings and line ends, a sampled field vote, limits and repairs, as the local path."""
    lines = [line.encode() for line in
             corpus.write_jsonl(tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()[:6000]]
    odd = b'{"id": "odd", "created_at": "2020-03-10", "body": "another field"}'
    damaged = [odd] + lines[:3000]
    damaged[1500] = b"[" * 50_000 + b"]" * 50_000
    damaged[2500] = damaged[2500].replace(b'"text": "', b'"text": "\\ud83d ')
    paths = [tmp_path / "u16.jsonl", tmp_path / "cr.jsonl", tmp_path / "damaged.jsonl"]
    paths[0].write_bytes((b"\n".join(lines[3000:4500]) + b"\n").decode().encode("utf-16"))
    paths[1].write_bytes(b"\r".join(lines[4500:]) + b"\r")
    paths[2].write_bytes(b"\n".join(damaged) + b"\n")
    files = [str(p) for p in paths]
    tasks, _ = plan_tasks(files, blocksize=BLOCK)
    assert {t.name: t.kind for t in tasks if t.name != files[2]} == {files[0]: "file", files[1]: "file"}
    assert sum(t.name == files[2] for t in tasks) > 1
    local = prepare_counts(files, lang="en", on_error="skip")
    dask = count_on_dask(files, client=client, lang="en", on_error="skip", blocksize=BLOCK)
    assert_same_counts(local.counts, dask.counts)
    assert local.report.as_dict() == dask.report.as_dict()
    report = local.report
    assert dict(report.skipped) == {"missing_text": 1, "too_deep": 1} and dict(report.repaired) == {"unencodable": 1}
    assert report.used == 6000 - 1 and len(report.notes) == 1 and report.balanced
