"""Bad input never gives a traceback: it stops the run with one line, or is
skipped and counted exactly under ``--on-error skip``.

Generated lines (Hypothesis) exercise the JSON lines, CSV and timestamp
parsers; every case named in the documentation also goes through the command
line.
"""

import csv
import datetime as dt
import gzip
import io
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glipca.cli import main
from glipca.ingest import IngestReport, InputError, parse_time, read_posts

UTC = dt.timezone.utc
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def good(i, day=1):
    return {"id": f"g{i}", "created_at": f"2020-03-{day:02d}T{i % 24:02d}:00:00Z", "text": f"flu fever cough {i}"}


def jsonl(records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


# -- JSON lines: every kind of bad line, counted exactly ----------------------------

# Each kind: (raw line, reason key it is skipped for, or None for a good post).
BAD_LINES = {
    "malformed": (b'{"id": 1, "text": "unterminated', "malformed_json"),
    "truncated_object": (b'{"id": 1, "created_at": "2020-03-01", ', "malformed_json"),
    "missing_text": (b'{"id": 1, "created_at": "2020-03-01"}', "missing_text"),
    # An empty text is no error: the post is dropped and counted (DROPPED).
    "empty_text": (b'{"id": 1, "created_at": "2020-03-01", "text": "   "}', "empty_text"),
    "null_text": (b'{"id": 1, "created_at": "2020-03-01", "text": null}', "missing_text"),
    "list_text": (b'{"id": 1, "created_at": "2020-03-01", "text": ["a"]}', "missing_text"),
    "missing_time": (b'{"id": 1, "text": "hello world"}', "missing_time"),
    "empty_time": (b'{"id": 1, "created_at": "", "text": "hello world"}', "missing_time"),
    "bad_time": (b'{"id": 1, "created_at": "next tuesday", "text": "hello world"}', "bad_time"),
    "old_time": (b'{"id": 1, "created_at": "1850-01-01", "text": "hello world"}', "bad_time"),
    "future_time": (b'{"id": 1, "created_at": "2500-01-01T00:00:00Z", "text": "hello world"}', "bad_time"),
    "huge_epoch": (b'{"id": 1, "created_at": 1e300, "text": "hello world"}', "bad_time"),
    "nan_epoch": (b'{"id": 1, "created_at": NaN, "text": "hello world"}', "missing_time"),  # NaN is how tables say missing
    "bool_time": (b'{"id": 1, "created_at": true, "text": "hello world"}', "bad_time"),
    "latin1": ('{"id": 1, "created_at": "2020-03-01", "text": "café"}'.encode("latin-1"), "encoding"),
    "scalar": (b"42", "not_object"),
    "string": (b'"just a string"', "not_object"),
    "null": (b"null", "not_object"),
    "good": (json.dumps(good(0)).encode(), None),
    "date_only": (b'{"id": 2, "created_at": "2020-03-02", "text": "hello world"}', None),
    "naive": (b'{"id": 3, "created_at": "2020-03-02 10:00:00", "text": "hello world"}', None),
    "epoch_ms": (b'{"id": 4, "created_at": 1583020800000, "text": "hello world"}', None),
}
DROPPED = {"empty_text"}


@FUZZ
@given(st.lists(st.sampled_from(sorted(BAD_LINES)), max_size=25), st.booleans())
def test_jsonl_skip_counts_are_exact(tmp_path, kinds, gz):
    data = b"".join(BAD_LINES[k][0] + b"\n" for k in kinds)
    path = tmp_path / ("posts.jsonl.gz" if gz else "posts.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    report = IngestReport()
    posts = list(read_posts(path, on_error="skip", report=report))
    expected, dropped = {}, {}
    for k in kinds:
        key = BAD_LINES[k][1]
        if key is not None:
            counts = dropped if key in DROPPED else expected
            counts[key] = counts.get(key, 0) + 1
    assert dict(report.skipped) == expected and dict(report.dropped) == dropped
    assert len(posts) == report.used == sum(BAD_LINES[k][1] is None for k in kinds)
    assert report.read == len(kinds) == report.used + report.n_skipped + report.n_dropped
    # Under the default policy the first bad line stops the read, with its
    # line number and nothing else.
    first_bad = next((i for i, k in enumerate(kinds)
                      if BAD_LINES[k][1] not in (None, *DROPPED)), None)
    if first_bad is None:
        assert len(list(read_posts(path))) == len(kinds) - sum(dropped.values())
    else:
        with pytest.raises(InputError) as info:
            list(read_posts(path))
        assert info.value.line == first_bad + 1
        assert info.value.key == BAD_LINES[kinds[first_bad]][1]
        assert str(info.value).startswith(f"{path}:{first_bad + 1}: ")
        assert "\n" not in str(info.value)


@FUZZ
@given(st.lists(st.binary(max_size=80).filter(lambda b: b"\n" not in b and b"\r" not in b), max_size=20))
def test_jsonl_arbitrary_bytes_never_escape(tmp_path, lines):
    path = tmp_path / "noise.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = IngestReport()
    posts = list(read_posts(path, on_error="skip", report=report))
    assert report.read == report.used + report.n_skipped == report.used + sum(report.skipped.values())
    assert len(posts) == report.used
    try:
        list(read_posts(path))
    except InputError as err:
        assert err.line >= 1 and "\n" not in str(err)


def test_jsonl_arbitrary_json_values_never_escape(tmp_path):
    # Any JSON value on a line: a record, or a counted skip.
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
            st.sampled_from(["text", "created_at", "id", "data", "date", "x"]), inner, max_size=4
        ),
        max_leaves=8,
    )

    @FUZZ
    @given(st.lists(values, max_size=10))
    def check(items):
        path = tmp_path / "values.jsonl"
        path.write_text("".join(json.dumps(v) + "\n" for v in items), encoding="utf-8")
        report = IngestReport()
        posts = list(read_posts(path, on_error="skip", report=report))
        assert report.read == report.used + report.n_skipped + report.n_dropped
        assert set(report.dropped) <= {"empty_text"}
        assert len(posts) == report.used
        for p in posts:
            assert p.time.tzinfo is not None and p.text.strip()

    check()


# -- CSV -----------------------------------------------------------------------------

csv_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1, max_size=40
).filter(lambda s: s.strip())


@FUZZ
@given(st.lists(st.tuples(csv_text, st.sampled_from(["ok", "bad_time", "missing_time", "empty_text"])), max_size=20))
def test_csv_round_trip_and_exact_skips(tmp_path, rows):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "created_at", "text"])
    for i, (text, kind) in enumerate(rows):
        time = {"ok": f"2020-03-01T{i % 24:02d}:00:00Z", "bad_time": "32/13/2020", "missing_time": ""}.get(
            kind, "2020-03-01"
        )
        writer.writerow([i, time, "" if kind == "empty_text" else text])
    path = tmp_path / "posts.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    report = IngestReport()
    posts = list(read_posts(path, on_error="skip", report=report))
    # Commas, quotes and line breaks inside a field survive exactly.
    assert [p.text for p in posts] == [t for t, k in rows if k == "ok"]
    expected = {}
    for _, kind in rows:
        if kind not in ("ok", "empty_text"):
            expected[kind] = expected.get(kind, 0) + 1
    assert dict(report.skipped) == expected
    assert report.dropped["empty_text"] == sum(k == "empty_text" for _, k in rows)
    assert report.read == len(rows)


@FUZZ
@given(st.binary(max_size=300))
def test_csv_arbitrary_bytes_never_escape(tmp_path, data):
    path = tmp_path / "noise.csv"
    path.write_bytes(b"id,created_at,text\n" + data)
    report = IngestReport()
    posts = list(read_posts(path, on_error="skip", report=report))
    assert report.read == report.used + report.n_skipped and len(posts) == report.used


# -- timestamps --------------------------------------------------------------------

instants = st.datetimes(
    min_value=dt.datetime(1990, 1, 2), max_value=dt.datetime(2099, 12, 30), timezones=st.just(UTC)
).map(lambda t: t.replace(microsecond=0))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


@settings(max_examples=200, deadline=None)
@given(instants, offsets)
def test_timestamp_formats_give_the_same_instant(t, zone):
    local = t.astimezone(zone)
    sign = "+" if local.utcoffset() >= dt.timedelta(0) else "-"
    minutes = abs(int(local.utcoffset().total_seconds())) // 60
    hhmm = f"{minutes // 60:02d}{minutes % 60:02d}"
    spellings = [
        local.isoformat(),
        t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        local.strftime(f"%a %b %d %H:%M:%S {sign}{hhmm} %Y"),  # Twitter v1.1
        local.strftime(f"%a, %d %b %Y %H:%M:%S {sign}{hhmm}"),  # RFC 2822
        int(t.timestamp()),
        int(t.timestamp()) * 1000,
        str(int(t.timestamp())),
    ]
    for value in spellings:
        assert parse_time(value) == t, value


@settings(max_examples=100, deadline=None)
@given(instants, st.sampled_from(["UTC", "Asia/Tokyo", "America/New_York"]))
def test_naive_and_date_only_times_are_read_in_tz(t, tz):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    naive = t.replace(tzinfo=None)
    assert parse_time(naive.strftime("%Y-%m-%d %H:%M:%S"), zone) == naive.replace(tzinfo=zone)
    assert parse_time(naive.date().isoformat(), zone) == dt.datetime(t.year, t.month, t.day, tzinfo=zone)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
def test_parse_time_returns_in_range_or_raises_value_error(value):
    try:
        t = parse_time(value)
    except ValueError as err:
        assert "\n" not in str(err)
    else:
        assert t.tzinfo is not None and 1970 <= t.year <= 2100


@pytest.mark.parametrize("value", ["1969-12-31T23:00:00Z", "2101-01-01", "0001-01-01", -1e20, 10**30, "9" * 40])
def test_out_of_range_timestamps(value):
    with pytest.raises(ValueError, match="out of range|unparseable"):
        parse_time(value)


# -- every case through the command line -------------------------------------------


def _count(*args):
    result = CliRunner().invoke(
        main, ["count", *map(str, args), "--lang", "en", "-j", "1", "--no-cache"], catch_exceptions=False
    )
    assert "Traceback" not in result.output
    return result


def _lines(result):
    return [ln for ln in result.output.splitlines() if ln.strip()]


def _file(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = jsonl([good(i, day=1 + i % 5) for i in range(20)])


def _truncated_gzip():
    data = gzip.compress(jsonl([good(i, day=1 + i % 5) for i in range(3000)]))
    return data[: len(data) // 2]

CASES = {
    "malformed line": ("a.jsonl", GOOD + b'{"text": oops}\n' + GOOD, 21, None, "malformed JSON", "malformed_json"),
    "missing field": ("a.jsonl", GOOD + b'{"text": "no time"}\n', 21, "created_at", "missing", "missing_time"),
    "null field": ("a.jsonl", GOOD + b'{"created_at": "2020-03-01", "text": null}\n', 21, "text", "missing", "missing_text"),
    "unparseable time": ("a.jsonl", GOOD + b'{"created_at": "soonish", "text": "x"}\n', 21, "created_at", "unparseable", "bad_time"),
    "out-of-range time": ("a.jsonl", GOOD + b'{"created_at": "1066-10-14", "text": "x"}\n', 21, "created_at", "out of range", "bad_time"),
    "wrong encoding": ("a.jsonl", GOOD + '{"created_at": "2020-03-01", "text": "café"}\n'.encode("cp1252"), 21, None, "invalid UTF-8", "encoding"),
    "nested too deep": ("a.jsonl", GOOD + b"[" * 100_000 + b"]" * 100_000 + b"\n", 21, None, "nested deeper than 100 levels (the limit)", "too_deep"),
    "number too long": ("a.jsonl", GOOD + b'{"created_at": "2020-03-01", "text": "x", "n": ' + b"9" * 5000 + b"}\n", 21, None, "longer than 4300 digits (the limit)", "too_large"),
    "truncated gzip": ("a.jsonl.gz", _truncated_gzip(), None, None, "truncated", "truncated"),
    "bad csv row": ("a.csv", b"id,created_at,text\n1,2020-03-01,ok\n2,2020-03-01,a\rb\n", 3, None, "malformed CSV", "malformed_csv"),
    "csv bad time": ("a.csv", b"id,created_at,text\n1,2020-03-01,ok\n2,99/99/9999,x\n", 3, "created_at", "unparseable", "bad_time"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_bad_record_stops_with_one_line(tmp_path, case):
    name, data, line, field, words, _ = CASES[case]
    path = _file(tmp_path, name, data)
    out = tmp_path / "out"
    result = _count(path, "--out", out)
    assert result.exit_code == 2, result.output
    (only,) = _lines(result)
    assert only.startswith(f"glipca: error: {path}:{'' if line is None else line}")
    if field is not None:
        assert f"field '{field}'" in only
    assert words in only
    assert not out.exists() and list(tmp_path.iterdir()) == [path]  # no half-written output


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_skip_counts_and_reports(tmp_path, case):
    name, data, _, _, _, key = CASES[case]
    path = _file(tmp_path, name, data)
    out = tmp_path / "out"
    result = _count(path, "--out", out, "--on-error", "skip")
    meta = json.loads((out / "meta.json").read_text("utf-8")) if out.exists() else None
    assert result.exit_code == 0, result.output
    report = meta["report"]
    assert report["skipped"] == {key: 1}
    assert report["read"] == report["used"] + 1
    assert f"{report['read']} read, {report['used']} used, 1 skipped ({key}: 1)" in result.output


def test_cli_several_files_skips_are_summed(tmp_path):
    paths = [
        _file(tmp_path, f"{i}{name[1:]}", data) for i, (name, data, *_) in enumerate(CASES.values())
    ] + [_file(tmp_path, "empty.jsonl", b""), _file(tmp_path, "blank.jsonl", b"\n \n")]
    out = tmp_path / "out"
    result = _count(*paths, "--out", out, "--on-error", "skip")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "meta.json").read_text("utf-8"))["report"]
    assert report["skipped"] == {
        "bad_time": 3, "encoding": 1, "malformed_csv": 1, "malformed_json": 1,
        "missing_text": 1, "missing_time": 1, "too_deep": 1, "too_large": 1, "truncated": 1,
    }
    assert report["read"] == report["used"] + report["n_skipped"]
    assert report["empty_files"] == [str(tmp_path / "empty.jsonl"), str(tmp_path / "blank.jsonl")]


def test_cli_empty_and_missing_inputs(tmp_path):
    empty = _file(tmp_path, "empty.jsonl", b"")
    result = _count(empty, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert _lines(result) == ["glipca: error: no posts were found in the input: the input files are empty"]
    result = _count(tmp_path / "nope.jsonl", "--out", tmp_path / "out")
    assert result.exit_code == 2 and _lines(result) == [f"glipca: error: {tmp_path / 'nope.jsonl'}: file not found"]


def test_cli_multi_megabyte_lines(tmp_path):
    long_en = "storm flood " * 300_000  # 3.6 MB
    long_ja = "東京で地震が発生しました。" * 80_000  # 1 M characters
    records = [good(i) for i in range(5)] + [
        {"id": "big-en", "created_at": "2020-03-02", "text": long_en},
    ]
    path = _file(tmp_path, "big.jsonl", jsonl(records))
    result = _count(path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "6 read, 6 used, 0 skipped" in result.output
    from glipca.tokens import JapaneseTokenizer

    assert set(JapaneseTokenizer()(long_ja)) == {"東京", "地震", "発生"}


def test_analyse_bad_input_is_one_line_too(tmp_path):
    path = _file(tmp_path, "a.jsonl", GOOD + b"[1, 2\n")
    result = CliRunner().invoke(
        main, ["analyse", str(path), "--out", str(tmp_path / "out"), "--lang", "en", "--no-cache"],
        catch_exceptions=False,
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert _lines(result) == [f"glipca: error: {path}:21: malformed JSON: Expecting ',' delimiter (column 6)"]


def test_bad_options_are_one_line(tmp_path):
    path = _file(tmp_path, "a.jsonl", GOOD)
    for extra, words in [
        (["--tz", "Mars/Olympus"], "unknown time zone"),
        (["--freq", "fortnightly"], "unsupported freq"),
        (["--stop-words", str(tmp_path / "missing.txt")], "cannot read word list"),
        (["--mecab-args", "-u x.dic"], "Japanese"),
    ]:
        result = _count(path, "--out", tmp_path / "out", *extra)
        assert result.exit_code == 2, (extra, result.output)
        (only,) = _lines(result)
        assert only.startswith("glipca: error: ") and words in only
    result = CliRunner().invoke(
        main, ["count", str(path), "--out", str(tmp_path / "o"), "--lang", "ja", "--mecab-args", "-d /nonexistent"],
        catch_exceptions=False,
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    (only,) = _lines(result)
    assert "MeCab could not start" in only


@pytest.mark.parametrize("command", ["count", "analyse"])
@pytest.mark.parametrize("case, data, raise_line, skip_line", [
    ("empty", b"", "no posts were found in the input: the input files are empty", None),
    ("blank", b"\n \n", "no posts were found in the input: the input files are empty", None),
    ("header only", b"id,created_at,text\n", "no posts were found in the input: no records were read", None),
    ("no text column", b"id,created_at,words\n1,2020-03-01,hi\n2,2020-03-02,ho\n",
     "{path}:2: no text column or field recognised among: id, created_at, words (columns split at ','; choose one with --text-field, or another separator with --sep)",
     "no posts were found in the input: 2 records read, 2 skipped (missing_text: 2); e.g. {path}:2: no text column"),
    ("no time column", b"id\twhen\ttext\n1\t2020-03-01\thi\n",
     "{path}:2: no time column or field recognised among: id, when, text (columns split at tab; choose one with --time-field, or another separator with --sep)",
     "no posts were found in the input: 1 record read, 1 skipped (missing_time: 1); e.g. {path}:2: no time column"),
])
def test_inputs_without_posts_say_why_in_one_line(tmp_path, command, case, data, raise_line, skip_line):
    name = {"no time column": "a.tsv", "header only": "a.csv", "no text column": "a.csv"}.get(case, "a.jsonl")
    path = _file(tmp_path, name, data)
    for policy, expected in (("raise", raise_line), ("skip", skip_line or raise_line)):
        result = CliRunner().invoke(main, [command, str(path), "--out", str(tmp_path / "out"), "--lang", "en",
                                           "--no-cache", "--on-error", policy], catch_exceptions=False)
        assert result.exit_code == 2, result.output
        (only,) = _lines(result)
        assert only.startswith("glipca: error: " + expected.format(path=path)), (policy, only)
        assert "no words" not in only and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["count", "analyse"])
def test_missing_file_is_named_without_a_line(tmp_path, command):
    result = CliRunner().invoke(main, [command, str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert _lines(result) == [f"glipca: error: {tmp_path / 'missing.jsonl'}: file not found"]


def test_alpha_out_of_range_names_the_option(tmp_path):
    path = _file(tmp_path, "a.jsonl", GOOD)
    for value in ("-1", "zero"):
        result = CliRunner().invoke(main, ["analyse", str(path), "--out", str(tmp_path / "out"), "--alpha", value],
                                    catch_exceptions=False)
        assert result.exit_code == 2
        (only,) = _lines(result)
        assert only == f"glipca: error: --alpha {value}: must be a positive number or 'auto'"

