"""The counting options: validated once, one cache key, plain values to pickle."""

import datetime as dt
import pickle
from zoneinfo import ZoneInfo

import pytest

from glipca.counting.periods import zone
from glipca.ingest import read_posts
from glipca.counting.options import (
    DEFAULT_JOBS, CountOptions, count_options, split_count_options,
)
from glipca.ingest import ReadOptions, parse_tz


@pytest.mark.parametrize("kwargs, named", [
    ({"fmt": "xml"}, "fmt"),
    ({"on_error": "ignore"}, "on_error"),
    ({"tz": "Mars/Olympus"}, "time zone"),
    ({"freq": "fortnight"}, "freq"),
    ({"text_field": ""}, "text_field"),
    ({"lang": "english"}, "lang"),
    ({"lang": ""}, "lang"),
    ({"lang": "en", "tokenizer_options": {"no_such": 1}}, "tokenizer_options"),
    ({"lang": "en", "tokenizer_options": {"mecab_args": "-d x"}}, "MeCab"),
])
def test_bad_values_fail_when_made_naming_the_option(kwargs, named):
    with pytest.raises(ValueError, match=named):
        count_options(**kwargs)


def test_unknown_keyword_is_refused():
    with pytest.raises(TypeError, match="text_feild"):
        count_options(text_feild="body")


def test_one_time_zone_parser_for_every_stage():
    for spelling in ("UTC", "utc", "Z"):
        assert parse_tz(spelling) is dt.timezone.utc
        assert zone(spelling) is dt.timezone.utc
        assert ReadOptions(tz=spelling).tz == "UTC"
    assert ReadOptions(tz=ZoneInfo("Asia/Tokyo")).tz == "Asia/Tokyo"
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_tz("Nowhere/Atall")


def test_naive_times_read_alike_whatever_utc_spelling(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": 1, "created_at": "2020-01-02 03:04:05", "text": "a b"}\n', encoding="utf-8")
    times = {next(read_posts(path, tz=s)).time for s in ("UTC", "utc", "Z")}
    assert len(times) == 1 and next(iter(times)).utcoffset() == dt.timedelta(0)


def test_keywords_build_the_nested_options_and_none_means_default():
    o = count_options(lang="ja", tz=None, freq="12h", text_field="body", drop_duplicates=1,
                      tokenizer_options={"extra_stop_words": ["b", "a"]})
    assert o.read == ReadOptions(text_field="body", drop_duplicates=True)
    assert (o.lang, o.freq, o.tz) == ("ja", "12h", None)
    assert o.tokenizer_options == {"extra_stop_words": ["b", "a"]}
    assert count_options(o, freq="D").read is o.read
    mine, rest = split_count_options({"lang": "en", "alpha": 0.3, "tz": "UTC"})
    assert mine == {"lang": "en", "tz": "UTC"} and rest == {"alpha": 0.3}


def test_resolved_options_give_the_cache_key_material():
    o = count_options(on_error="skip").resolved("ja")
    assert o.tz == "Asia/Tokyo"
    params = o.params()
    assert list(params) == ["lang", "tz", "freq", "tokenizer", "fields", "format", "on_error",
                            "drop_retweets", "drop_duplicates"]
    assert params["on_error"] == "skip" and params["tokenizer"]["tokenizer"] == "JapaneseTokenizer"
    assert count_options(tz="UTC").resolved("ja").tz == "UTC"
    with pytest.raises(ValueError, match="settle"):
        CountOptions().params()


def test_options_pickle_and_hash_as_plain_values():
    o = count_options(lang="en", tz="Europe/Paris", tokenizer_options={"user_words": ["new york"]})
    back = pickle.loads(pickle.dumps(o))
    assert back == o and hash(back) == hash(o)
    assert back.make_tokenizer()("I love New York") == o.make_tokenizer()("I love New York")
    with pytest.raises(dataclasses_error()):
        o.lang = "ja"


def dataclasses_error():
    import dataclasses

    return dataclasses.FrozenInstanceError


def test_jobs_default_is_the_same_for_the_cli_and_the_library():
    import inspect

    from glipca.cli import analyse, count
    from glipca.counting.prepare import prepare_counts
    from glipca.pipeline import run_analysis

    for f in (run_analysis, prepare_counts):
        assert inspect.signature(f).parameters["jobs"].default is DEFAULT_JOBS
    for command in (analyse, count):
        (jobs,) = [p for p in command.params if p.name == "jobs"]
        assert jobs.default is DEFAULT_JOBS
