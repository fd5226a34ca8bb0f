"""Posts to counts at scale: parallel counting, the cache, the ``count``
command and the reading options (time zone, frequency, retweets, duplicates,
word lists)."""

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from glipca.counting import counts as counts_module
from glipca.counting.cache import CountCache, read_counts, write_counts
from glipca.cli import main
from glipca.counting.counts import count_words
from glipca.datasets import make_trend_corpus
from glipca.ingest import IngestReport, InputError, read_batches, read_posts
from glipca.counting.parallel import map_tasks
from glipca.counting.prepare import prepare_counts
from glipca.tokens import EnglishTokenizer, JapaneseTokenizer


def same_counts(a, b):
    assert a.words == b.words
    assert a.periods.equals(b.periods) and a.periods.freq == b.periods.freq
    assert (a.posts == b.posts).all()
    assert a.counts.shape == b.counts.shape and (a.counts != b.counts).nnz == 0
    assert (a.freq, a.tz) == (b.freq, b.tz)


@pytest.fixture(scope="module")
def en_file(tmp_path_factory):
    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(250, 350), n_days=30, seed=5)
    return corpus.write_jsonl(tmp_path_factory.mktemp("en") / "posts.jsonl")


@pytest.fixture(scope="module")
def ja_file(tmp_path_factory):
    corpus = make_trend_corpus(lang="ja", n_trends=2, n_close_pairs=0, n_background=40,
                               posts_per_day=(40, 60), n_days=20, seed=2)
    return corpus.write_jsonl(tmp_path_factory.mktemp("ja") / "posts.jsonl")


# -- parallel counting ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_any_number_of_jobs_gives_the_same_counts(lang, en_file, ja_file, monkeypatch):
    path, tok, tz = (en_file, EnglishTokenizer(), "UTC") if lang == "en" else (ja_file, JapaneseTokenizer(), "Asia/Tokyo")
    one = count_words(read_posts(path, tz=tz), tok, tz=tz, jobs=1)
    # Small tasks: enough of them that a pool starts, and results from the
    # workers arrive interleaved.
    monkeypatch.setattr(counts_module, "_TASK", 97)
    two = count_words(read_posts(path, tz=tz), tok, tz=tz, jobs=2)
    three = count_words(read_posts(path, tz=tz), tok, tz=tz, jobs=3)
    same_counts(one, two)
    same_counts(one, three)
    assert one.posts.sum() == sum(1 for _ in read_posts(path))
    # Raw JSON lines parsed in the workers, with duplicates dropped there.
    report = IngestReport()
    batches = count_words(read_batches(path, tz=tz, size=97, range_bytes=3000, report=report), tok, tz=tz, jobs=2,
                          report=report, drop_duplicates=True)
    same_counts(one, batches)
    assert report.used == one.posts.sum() and report.n_dropped == 0


def _explode(state, task):
    if task == "boom":
        raise ValueError("cannot do boom")
    return state + task


def test_worker_errors_reach_the_caller_and_pools_stop():
    tasks = ["a"] * 20 + ["boom"] + ["b"] * 20
    with pytest.raises(ValueError, match="cannot do boom"):
        list(map_tasks(_explode, "x", tasks, jobs=2))
    assert list(map_tasks(_explode, "x", ["a", "b"] * 10, jobs=2)) == ["xa", "xb"] * 10


def _cannot_load():
    raise RuntimeError("this state cannot be loaded in a worker")


class _Unloadable:
    """Pickles, but breaks every worker that loads it (as a script without a
    main guard does)."""

    def __reduce__(self):
        return (_cannot_load, ())


def _echo(state, task):
    return task


def test_workers_that_cannot_start_fall_back_to_this_process():
    with pytest.warns(RuntimeWarning, match="could not start"):
        assert list(map_tasks(_echo, _Unloadable(), range(30), jobs=2)) == list(range(30))


def test_modules_needed_after_a_pool_are_imported_while_it_works(tmp_path, monkeypatch):
    (tmp_path / "after_the_pool.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "after_the_pool", raising=False)
    results = map_tasks(_echo, "x", range(30), jobs=2, after=("no_such_module_here", "after_the_pool"))
    # A module that cannot be imported is skipped there: the caller's own
    # import of it raises.
    assert list(results) == list(range(30))
    assert sys.modules["after_the_pool"].LOADED
    # No pool, nothing imported beside it.
    monkeypatch.delitem(sys.modules, "after_the_pool")
    assert list(map_tasks(_echo, "x", range(30), jobs=1, after=("after_the_pool",))) == list(range(30))
    assert "after_the_pool" not in sys.modules


def test_counting_files_imports_no_pandas_before_its_pool():
    # Workers that tokenise import glipca.cli again (the console script is
    # their main module), and the counting pool waits for this process's
    # imports: pandas and scipy (0.45 s) come only after the pool starts.
    code = ("import sys, glipca.cli, glipca.counting.prepare, glipca.report.atomic; "
            "print(sorted({'pandas', 'scipy', 'matplotlib', 'sklearn'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_small_inputs_and_unpicklable_state():
    # Few tasks: no pool, so even a lambda will do.
    assert list(map_tasks(_explode, lambda: 0, [], jobs=4)) == []
    with pytest.raises(TypeError, match="picklable"):
        list(map_tasks(_explode, lambda: 0, ["a"] * 40, jobs=2))
    with pytest.raises(ValueError):
        list(map_tasks(_explode, "x", ["a"], jobs=0))


def test_errors_are_raised_in_input_order_for_any_jobs(tmp_path, monkeypatch):
    # A bad JSON line deep in the first file (parsed by a worker) comes
    # before a bad CSV row early in the second (read in this process).
    lines = [json.dumps({"created_at": "2020-03-01", "text": f"w{i % 7} x"}) for i in range(3000)]
    lines[2500] = "{oops"
    first = tmp_path / "a.jsonl"
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("created_at,text\nsoon,x\n", encoding="utf-8")
    monkeypatch.setattr(counts_module, "_TASK", 100)
    for jobs in (1, 2):
        report = IngestReport()
        batches = read_batches([first, second], report=report, size=100, range_bytes=2000)
        with pytest.raises(InputError) as info:
            count_words(batches, EnglishTokenizer(), report=report, jobs=jobs)
        assert (info.value.file, info.value.line) == (str(first), 2501)
    # Skipping: the same counts and report for any number of jobs.
    results = []
    for jobs in (1, 2):
        report = IngestReport()
        batches = read_batches([first, second], report=report, size=100, range_bytes=2000,
                               on_error="skip")
        results.append((count_words(batches, EnglishTokenizer(), report=report, jobs=jobs), report))
    same_counts(results[0][0], results[1][0])
    assert results[0][1].as_dict() == results[1][1].as_dict()
    assert dict(results[0][1].skipped) == {"malformed_json": 1, "bad_time": 1}


# -- cache ---------------------------------------------------------------------------


def test_counts_folder_round_trip(en_file, tmp_path):
    prepared = prepare_counts(en_file, lang="en", freq="12h", tz="America/New_York")
    write_counts(prepared.counts, tmp_path, {"note": 1})
    again, meta = read_counts(tmp_path)
    same_counts(prepared.counts, again)
    assert meta["note"] == 1 and meta["tz"] == "America/New_York" and meta["freq"] == "12h"
    import pandas as pd

    long = pd.read_parquet(tmp_path / "counts.parquet")
    assert list(long.columns) == ["period", "word", "count"]
    assert long["count"].sum() == prepared.counts.counts.sum()
    with pytest.raises(ValueError, match="not a readable counts folder"):
        read_counts(tmp_path / "nothing")


def test_cache_hit_miss_and_invalidation(en_file, tmp_path):
    cache = tmp_path / "cache"
    first = prepare_counts(en_file, lang="en", cache=cache)
    assert not first.from_cache and len(set(os.listdir(cache)) - {"notes"}) == 1
    second = prepare_counts(en_file, lang="en", cache=cache, jobs=2)
    assert second.from_cache and second.key == first.key
    same_counts(first.counts, second.counts)
    assert second.report.as_dict() == first.report.as_dict()
    # Anything that changes the counts changes the key.
    for options in [{"tz": "Asia/Tokyo"}, {"freq": "W"}, {"drop_duplicates": True},
                    {"tokenizer_options": {"extra_stop_words": ["tiger"]}}]:
        other = prepare_counts(en_file, lang="en", cache=cache, **options)
        assert not other.from_cache and other.key != first.key
    # The key follows the content: a new modification time alone changes
    # nothing, while the same size and time with other bytes is a miss.
    st = os.stat(en_file)
    os.utime(en_file, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
    assert prepare_counts(en_file, lang="en", cache=cache).key == first.key
    data = en_file.read_bytes()
    at = data.index(b'"text": "') + 9
    en_file.write_bytes(data[:at] + (b"Q" if data[at:at + 1] != b"Q" else b"R") + data[at + 1:])
    os.utime(en_file, ns=(st.st_atime_ns, st.st_mtime_ns))
    try:
        changed = prepare_counts(en_file, lang="en", cache=cache)
        assert not changed.from_cache and changed.key != first.key
    finally:
        en_file.write_bytes(data)
    # A damaged entry is counted again and replaced.
    key = prepare_counts(en_file, lang="en", cache=cache).key
    (CountCache(cache).path(key) / "counts.parquet").write_bytes(b"garbage")
    assert not prepare_counts(en_file, lang="en", cache=cache).from_cache
    assert prepare_counts(en_file, lang="en", cache=cache).from_cache


def test_same_posts_at_another_path_have_the_same_key_and_clusters(en_file, tmp_path):
    import shutil

    cache = tmp_path / "cache"
    there = tmp_path / "elsewhere" / en_file.name
    there.parent.mkdir()
    shutil.copy(en_file, there)
    first = prepare_counts(en_file, cache=cache)
    second = prepare_counts(there, cache=cache)
    assert second.from_cache and second.key == first.key
    assert second.report.files == [str(there)]
    assert prepare_counts(there).key == first.key  # also without a cache
    common = ["--no-plots", "--resamples", "0", "--posts", "0", "--cache-dir", cache]
    for name, path in (("a", en_file), ("b", there)):
        assert _cli("analyse", path, "--out", tmp_path / name, *common).exit_code == 0
    assert (tmp_path / "a" / "clusters.json").read_bytes() == (tmp_path / "b" / "clusters.json").read_bytes()


def test_unwritable_cache_warns_and_counts(en_file, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.warns(UserWarning, match="not cached"):
        prepared = prepare_counts(en_file, lang="en", cache=blocker / "cache")
    assert prepared.counts.n_words > 0


def _cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_analyse_reuses_the_cache_with_other_clustering_options(en_file, tmp_path):
    common = ["--lang", "en", "--no-plots", "--resamples", "0", "--posts", "0", "--cache-dir", tmp_path / "c"]
    first = _cli("analyse", en_file, "--out", tmp_path / "a", *common)
    assert first.exit_code == 0, first.output
    assert "counts: counted, cached as" in first.output
    second = _cli("analyse", en_file, "--out", tmp_path / "b", "--min-z", "4", "--min-count", "10", *common)
    assert second.exit_code == 0, second.output
    assert "counts: from cache" in second.output
    a = json.loads((tmp_path / "a" / "clusters.json").read_text("utf-8"))
    b = json.loads((tmp_path / "b" / "clusters.json").read_text("utf-8"))
    keys = [json.loads((tmp_path / x / "run.json").read_text("utf-8"))["counts_key"] for x in "ab"]
    assert keys[0] == keys[1] and first.output.count(keys[0][:16]) == 1
    assert "counts_key" not in a["params"]
    assert a["summary"]["posts_read"] == b["summary"]["posts_read"] > 0
    # Same options again, from the cache: the same clusters.json, byte for byte.
    third = _cli("analyse", en_file, "--out", tmp_path / "c3", *common)
    assert "from cache" in third.output
    assert (tmp_path / "c3" / "clusters.json").read_bytes() == (tmp_path / "a" / "clusters.json").read_bytes()


def test_count_command_writes_the_cache_format(en_file, tmp_path):
    out = tmp_path / "counts"
    result = _cli("count", en_file, "--out", out, "--lang", "en", "--no-cache", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(out)) == ["counts.parquet", "meta.json", "periods.parquet"]
    counts, meta = read_counts(out)
    same_counts(counts, prepare_counts(en_file, lang="en").counts)
    assert meta["params"]["tz"] == "UTC" and meta["report"]["used"] == counts.posts.sum()
    again = _cli("count", en_file, "--out", out, "--lang", "en", "--no-cache")
    assert again.exit_code == 2 and "--force" in again.output
    assert _cli("count", en_file, "--out", out, "--lang", "en", "--no-cache", "--force").exit_code == 0
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary folders left


# -- reading options -------------------------------------------------------------------


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_retweets_and_duplicates_are_dropped_and_counted(tmp_path):
    records = [
        {"id": 1, "created_at": "2020-03-01T10:00:00Z", "text": "storm warning"},
        {"id": 2, "created_at": "2020-03-01T10:00:00Z", "text": "storm warning"},  # duplicate
        {"id": 3, "created_at": "2020-03-01T11:00:00Z", "text": "storm warning"},  # same text, later: kept
        {"id": 4, "created_at": "2020-03-01T12:00:00Z", "text": "RT @bob: storm warning"},
        {"id": 5, "created_at": "2020-03-01T12:00:00Z", "text": "storm", "retweeted_status": {"id": 9}},
        {"id": 6, "created_at": "2020-03-01T12:00:00Z", "text": "storm", "is_retweet": "true"},
        {"id": 7, "created_at": "2020-03-01T12:00:00Z", "text": "storm", "is_retweet": False},
    ]
    path = _write(tmp_path / "p.jsonl", records)
    report = IngestReport()
    posts = list(read_posts(path, drop_retweets=True, drop_duplicates=True, report=report))
    assert [p.id for p in posts] == ["1", "3", "7"]
    assert dict(report.dropped) == {"retweet": 3, "duplicate": 1}
    assert report.read == report.used + report.n_skipped + report.n_dropped == 7
    result = _cli("count", path, "--out", tmp_path / "o", "--lang", "en", "--no-cache",
                  "--drop-retweets", "--drop-duplicates")
    assert "7 read, 3 used, 0 skipped, 4 dropped (duplicate: 1, retweet: 3)" in result.output


def test_time_zone_and_frequency_options(tmp_path):
    records = [
        {"created_at": "2020-03-01T14:30:00Z", "text": "東京で地震"},  # 23:30 in Tokyo
        {"created_at": "2020-03-01T15:30:00Z", "text": "東京で地震"},  # 00:30 next day in Tokyo
        {"created_at": "2020-03-02 09:00", "text": "大阪で大雨"},  # naive: read in the zone
        {"created_at": "2020-03-03", "text": "大阪で大雨"},  # date only
    ]
    path = _write(tmp_path / "p.jsonl", records)
    ja = prepare_counts(path, lang="ja")
    assert ja.tz == "Asia/Tokyo" and ja.counts.posts.tolist() == [1, 2, 1]
    utc = prepare_counts(path, lang="ja", tz="UTC")
    assert utc.counts.posts.tolist() == [2, 1, 1]
    half = prepare_counts(path, lang="ja", freq="12H")
    assert half.counts.periods[0].hour == 12 and half.counts.posts.sum() == 4
    weekly = prepare_counts(path, lang="ja", freq="W")
    assert weekly.counts.posts.tolist() == [1, 3]  # 2020-03-01 is a Sunday
    result = _cli("count", path, "--out", tmp_path / "o", "--lang", "ja", "--no-cache", "-j", "1")
    assert "Asia/Tokyo" in result.output
    assert json.loads((tmp_path / "o" / "meta.json").read_text("utf-8"))["params"]["tz"] == "Asia/Tokyo"


def test_stop_word_and_user_dictionary_files(tmp_path):
    path = _write(tmp_path / "p.jsonl", [
        {"created_at": "2020-03-01", "text": "新型コロナウイルスの感染が東京で拡大"},
        {"created_at": "2020-03-02", "text": "東京の感染者"},
    ])
    (tmp_path / "stop.txt").write_text("# comments are ignored\n東京\n\n", encoding="utf-8")
    (tmp_path / "user.txt").write_text("新型コロナウイルス\n", encoding="utf-8")
    # UniDic's short units split the name; user words keep it whole.
    plain = prepare_counts(path, lang="ja", tokenizer_options={"compounds": False}).counts.words
    assert "東京" in plain and "新型コロナウイルス" not in plain
    out = tmp_path / "o"
    result = _cli("count", path, "--out", out, "--lang", "ja", "--no-cache", "--stop-words",
                  tmp_path / "stop.txt", "--user-dict", tmp_path / "user.txt")
    assert result.exit_code == 0, result.output
    words = read_counts(out)[0].words
    assert "新型コロナウイルス" in words and "東京" not in words and "感染" in words
    tok = JapaneseTokenizer(user_words=["新型コロナウイルス"])
    assert tok.params() != JapaneseTokenizer().params()
    assert pickle.loads(pickle.dumps(tok))("新型コロナウイルス") == ["新型コロナウイルス"]
    assert EnglishTokenizer(user_words=["New York"])("new york is big") == ["new york", "big"]


def test_mecab_args_select_a_dictionary(tmp_path):
    import unidic_lite

    path = _write(tmp_path / "p.jsonl", [{"created_at": "2020-03-01", "text": "東京で地震"}])
    prepared = prepare_counts(path, lang="ja", tokenizer_options={"mecab_args": f"-d {unidic_lite.DICDIR}"})
    assert prepared.counts.words == ["地震", "東京"]
    assert prepared.params["tokenizer"]["dictionary"] == "custom"
    assert np.array_equal(prepared.counts.posts, [1])
