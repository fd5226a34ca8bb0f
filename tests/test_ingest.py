"""Tests for glipca.ingest: formats, field shapes, timestamps and errors."""

import datetime as dt
import gzip
import json
import pickle
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from glipca.ingest import json_stream
from glipca.ingest import IngestReport, InputError, Post, parse_time, posts_from_frame, read_posts

INPUTS = Path(__file__).parent / "inputs"
UTC = dt.timezone.utc


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def records(n, day=1):
    return [
        {"id": f"r{i}", "created_at": f"2020-03-{day:02d}T{i % 24:02d}:00:00Z", "text": f"post number {i}"}
        for i in range(n)
    ]


# -- formats and field shapes ---------------------------------------------------


def test_twitter_v1_shapes():
    posts = list(read_posts(INPUTS / "twitter_v1.jsonl"))
    assert [p.id for p in posts] == [
        "1050118621198921728",  # id_str, not the (imprecise) numeric id
        "1050118621198921729",
        "1050118621198921730",
    ]
    assert posts[0].time == utc(2018, 10, 10, 20, 19, 24)
    assert posts[1].time.utcoffset() == dt.timedelta(hours=9)
    assert posts[1].text.endswith("but not here")  # extended_tweet.full_text wins
    assert posts[2].text == "RT @alice: A long post that was cut short"  # full_text over text
    assert [p.retweet for p in posts] == [False, False, True]


def test_twitter_v2_envelope():
    posts = list(read_posts(INPUTS / "twitter_v2.json"))
    assert [p.id for p in posts] == ["1445880548472328192", "1445880548472328193", "1445880548472328194"]
    assert posts[0].time == utc(2021, 10, 6, 23, 3, 51)
    assert [p.retweet for p in posts] == [False, True, False]


def test_v2_envelope_on_one_line_per_page(tmp_path):
    pages = [{"data": records(2)}, {"data": records(3, day=2), "meta": {"result_count": 3}}]
    path = write_jsonl(tmp_path / "pages.jsonl", pages)
    posts = list(read_posts(path))
    assert len(posts) == 5
    assert posts[2].time.day == 2


def test_json_array_and_plain_fields():
    report = IngestReport()
    posts = list(read_posts(INPUTS / "plain_array.json", report=report))
    assert [p.id for p in posts] == ["a1", "a2", "a3"]
    assert posts[1].time == utc(2020, 3, 1)  # date only
    assert posts[2].time == utc(2020, 3, 2, 23, 30)  # naive, in tz
    assert (report.read, report.used, report.n_skipped) == (3, 3, 0)


def test_jsonl_blank_lines_and_generated_ids():
    posts = list(read_posts(INPUTS / "plain.jsonl"))
    assert [p.id for p in posts] == ["p1", "p2", "plain.jsonl:4"]  # line 3 is blank
    assert posts[2].retweet is True


def test_csv_columns_quotes_and_flags():
    report = IngestReport()
    posts = list(read_posts(INPUTS / "table.csv", on_error="skip", report=report))
    assert [p.id for p in posts] == ["t1", "t2", "t4"]
    assert posts[0].text == "Hello, world"
    assert posts[1].text == "A quoted\r\nmultiline text"
    assert [p.retweet for p in posts] == [False, False, True]
    # The record with an empty text (physical line 5: header = 1, the
    # quoted record spans lines 3-4) is dropped and counted, not an error.
    assert dict(report.dropped) == {"empty_text": 1} and not report.skipped
    assert report.fields == {"table.csv": {"text": "Tweet", "time": "Date", "id": "Tweet ID",
                                           "sep": ","}}


def test_tsv_epoch_times():
    posts = list(read_posts(INPUTS / "table.tsv"))
    assert [p.id for p in posts] == ["x1", "x2"]
    assert posts[0].time == utc(2020, 3, 1, 10)  # epoch seconds
    assert posts[1].time == utc(2020, 3, 2, 10)  # epoch milliseconds


def test_gzip_by_magic_and_list_of_paths(tmp_path):
    gz = tmp_path / "a.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in records(3)))
    plain_named_gz = tmp_path / "b.jsonl.gz"  # not actually compressed
    write_jsonl(plain_named_gz, records(2, day=2))
    report = IngestReport()
    posts = list(read_posts([gz, str(plain_named_gz)], report=report))
    assert len(posts) == 5
    assert report.files == [str(gz), str(plain_named_gz)]


def test_csv_gz(tmp_path):
    path = tmp_path / "t.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write("created_at,text\n2020-03-01,hello\n2020-03-02,world\n")
    assert [p.text for p in read_posts(path)] == ["hello", "world"]


def test_directory_is_read_in_sorted_order(tmp_path):
    write_jsonl(tmp_path / "b.jsonl", records(1, day=2))
    write_jsonl(tmp_path / "a.jsonl", records(1, day=1))
    (tmp_path / "notes.md").write_text("not data")
    assert [p.time.day for p in read_posts(tmp_path)] == [1, 2]


@pytest.mark.parametrize(
    "name, content, fmt",
    [
        ("data.txt", '{"created_at": "2020-03-01", "text": "x"}\n', "jsonl"),
        ("data.txt", '[{"created_at": "2020-03-01", "text": "x"}]', "json"),
        ("data.txt", "created_at,text\n2020-03-01,x\n", "csv"),
        ("data.txt", "created_at\ttext\n2020-03-01\tx\n", "tsv"),
        ("data.json", '{"created_at": "2020-03-01",\n "text": "x"}\n', "json"),
    ],
)
def test_sniffing_and_forced_format(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert [p.text for p in read_posts(path)] == ["x"]
    assert [p.text for p in read_posts(path, fmt=fmt)] == ["x"]


def test_explicit_and_dotted_fields(tmp_path):
    path = write_jsonl(
        tmp_path / "nested.jsonl",
        [{"payload": {"body": "nested text", "ts": 1583056800}, "key": 7}],
    )
    (post,) = read_posts(path, text_field="payload.body", time_field="payload.ts", id_field="key")
    assert post == Post("7", utc(2020, 3, 1, 10), "nested text", False)


def test_json_array_streams_across_chunks(tmp_path, monkeypatch):
    # A tiny chunk size makes values straddle every kind of boundary:
    # numbers, escapes, multi-byte characters.
    recs = [
        {"id": i, "created_at": 1583056800 + 3600 * i, "text": f"caf\u00e9 \u6771\u4eac \"q\" \\ {i}"}
        for i in range(40)
    ]
    path = tmp_path / "arr.json"
    path.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(json_stream, "JSON_CHUNK", 7)
    posts = list(read_posts(path))
    assert [p.id for p in posts] == [str(i) for i in range(40)]
    assert posts[39].text == recs[39]["text"]
    assert posts[39].time == utc(2020, 3, 1, 10) + dt.timedelta(hours=39)


def test_multi_megabyte_records(tmp_path):
    big = "word " * 1_000_000  # 5 MB of text
    rec = {"created_at": "2020-03-01T00:00:00Z", "text": big}
    jsonl = write_jsonl(tmp_path / "big.jsonl", [rec, records(1)[0]])
    arr = tmp_path / "big.json"
    arr.write_text(json.dumps([rec, rec]), encoding="utf-8")
    csv_path = tmp_path / "big.csv"
    csv_path.write_text(f"created_at,text\n2020-03-01,{big}\n", encoding="utf-8")
    for path, n in ((jsonl, 2), (arr, 2), (csv_path, 1)):
        posts = list(read_posts(path))
        assert len(posts) == n
        assert len(posts[0].text) >= len(big) - 1


# -- timestamps -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2020-03-01T10:00:00Z", utc(2020, 3, 1, 10)),
        ("2020-03-01T10:00:00.123+00:00", utc(2020, 3, 1, 10, 0, 0, 123000)),
        ("2020-03-01T19:00:00+09:00", utc(2020, 3, 1, 10)),
        ("2020-03-01T10:00:00+0000", utc(2020, 3, 1, 10)),
        ("2020-03-01", utc(2020, 3, 1)),
        ("2020-03-01 10:00:00", utc(2020, 3, 1, 10)),
        ("20200301", utc(2020, 3, 1)),
        ("Sun Mar 01 10:00:00 +0000 2020", utc(2020, 3, 1, 10)),
        ("Sun, 01 Mar 2020 10:00:00 +0000", utc(2020, 3, 1, 10)),
        ("2020/03/01 10:00", utc(2020, 3, 1, 10)),
        ("3/13/2020 10:00", utc(2020, 3, 13, 10)),
        ("13.03.2020 10:00", utc(2020, 3, 13, 10)),
        ("2020.03.01", utc(2020, 3, 1)),
        (1583056800, utc(2020, 3, 1, 10)),
        (1583056800.5, utc(2020, 3, 1, 10, 0, 0, 500000)),
        (1583056800000, utc(2020, 3, 1, 10)),
        ("1583056800", utc(2020, 3, 1, 10)),
        ("1583056800000", utc(2020, 3, 1, 10)),
        (dt.datetime(2020, 3, 1, 10), utc(2020, 3, 1, 10)),
    ],
)
def test_parse_time_formats(value, expected):
    t = parse_time(value)
    assert t.tzinfo is not None
    assert t == expected


def test_naive_times_take_tz_and_offsets_are_kept(tmp_path):
    path = write_jsonl(
        tmp_path / "tz.jsonl",
        [
            {"created_at": "2020-03-01T08:00:00", "text": "naive"},
            {"created_at": "2020-03-01", "text": "date only"},
            {"created_at": "2020-03-01T08:00:00Z", "text": "aware"},
        ],
    )
    naive, date_only, aware = read_posts(path, tz="Asia/Tokyo")
    assert naive.time.utcoffset() == dt.timedelta(hours=9)
    assert naive.time == utc(2020, 2, 29, 23)
    assert date_only.time == dt.datetime(2020, 3, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert aware.time == utc(2020, 3, 1, 8)


@pytest.mark.parametrize("value", ["yesterday", "2020-13-01", "1969-12-31T00:00:00Z", "2200-01-01", -1, True, ""])
def test_parse_time_rejects(value):
    with pytest.raises(ValueError):
        parse_time(value)


def test_unknown_tz_is_rejected_early():
    with pytest.raises(ValueError, match="time zone"):
        read_posts(INPUTS / "plain.jsonl", tz="Mars/Olympus")


# -- errors -----------------------------------------------------------------------


def first_error(path, **kwargs):
    with pytest.raises(InputError) as info:
        list(read_posts(path, **kwargs))
    return info.value


def test_error_messages_name_file_line_and_field(tmp_path):
    path = INPUTS / "errors.jsonl"
    err = first_error(path)
    assert (err.file, err.line, err.field, err.key) == (str(path), 2, None, "malformed_json")
    assert str(err).startswith(f"{path}:2: malformed JSON: ")
    assert "\n" not in str(err)

    cases = [
        ({"created_at": "2020-03-01"}, "field 'text': missing", "missing_text"),
        ({"text": "x"}, "field 'created_at': missing", "missing_time"),
        ({"text": "x", "created_at": "soon"}, "field 'created_at': unparseable timestamp 'soon' "
         "(expected ISO 8601 such as 2024-03-01 14:05, DD/MM/YYYY or MM/DD/YYYY (the order "
         "decided from the file), DD.MM.YYYY, YYYY/MM/DD, Twitter or RFC 2822 times, or epoch "
         "seconds; or give a time format (strftime))", "bad_time"),
        (
            {"text": "x", "created_at": "1969-01-02"},
            "field 'created_at': timestamp '1969-01-02' is out of range (year 1969; expected 1970-2100)",
            "bad_time",
        ),
    ]
    for rec, message, key in cases:
        path = write_jsonl(tmp_path / "one.jsonl", [records(1)[0], rec])
        err = first_error(path)
        assert str(err) == f"{path}:2: {message}"
        assert (err.line, err.key) == (2, key)


def test_input_error_format_and_pickle():
    err = InputError("f.csv", 3, "date", "bad\nthing", "bad_time")
    assert str(err) == "f.csv:3: field 'date': bad thing"
    assert str(InputError("f.csv", 0, None, "file not found")) == "f.csv: file not found"
    again = pickle.loads(pickle.dumps(err))
    assert (again.file, again.line, again.field, again.reason, again.key) == (
        "f.csv", 3, "date", "bad thing", "bad_time",
    )
    assert isinstance(err, ValueError)


def test_skip_counts_reasons():
    report = IngestReport()
    posts = list(read_posts(INPUTS / "errors.jsonl", on_error="skip", report=report))
    assert [p.id for p in posts] == ["e1", "e9"]
    assert dict(report.skipped) == {
        "malformed_json": 1,
        "missing_text": 1,
        "bad_time": 2,
        "missing_time": 1,
        "not_object": 3,  # a line holding an array yields its elements
    }
    assert dict(report.dropped) == {"empty_text": 1}  # e7
    assert report.read == report.used + report.n_skipped + report.n_dropped
    summary = report.as_dict()
    assert list(summary) == [
        "read", "used", "n_skipped", "skipped", "n_dropped", "dropped", "files", "empty_files", "examples",
        "repaired", "notes", "fields",
    ]
    assert list(summary["skipped"]) == sorted(summary["skipped"])
    json.dumps(summary)


def test_bad_utf8_is_an_error_of_its_line(tmp_path):
    good = json.dumps(records(1)[0]).encode()
    bad = b'{"created_at": "2020-03-01", "text": "caf\xe9"}'
    path = tmp_path / "bad.jsonl"
    path.write_bytes(good + b"\n" + bad + b"\n" + good + b"\n")
    err = first_error(path)
    assert (err.line, err.field, err.key) == (2, None, "encoding")
    column = bad.index(b"\xe9") + 1
    assert str(err) == f"{path}:2: invalid UTF-8 byte 0xe9 at byte {column}"
    report = IngestReport()
    assert len(list(read_posts(path, on_error="skip", report=report))) == 2
    assert report.skipped == {"encoding": 1}


def test_bad_utf8_in_csv_and_json_array(tmp_path):
    csv_path = tmp_path / "bad.csv"
    csv_path.write_bytes(b"created_at,text\n2020-03-01,ok\n2020-03-02,caf\xe9\n2020-03-03,fine\n")
    err = first_error(csv_path)
    assert (err.line, err.key) == (3, "encoding")
    assert [p.text for p in read_posts(csv_path, on_error="skip")] == ["ok", "fine"]

    arr = tmp_path / "bad.json"
    arr.write_bytes(
        b'[{"created_at": "2020-03-01", "text": "ok"},\n'
        b' {"created_at": "2020-03-02", "text": "caf\xe9"},\n'
        b' {"created_at": "2020-03-03", "text": "fine"}]'
    )
    err = first_error(arr)
    assert (err.line, err.key) == (2, "encoding")
    assert [p.text for p in read_posts(arr, on_error="skip")] == ["ok", "fine"]


def test_malformed_json_array_stops_the_file(tmp_path):
    arr = tmp_path / "broken.json"
    arr.write_text('[{"created_at": "2020-03-01", "text": "ok"}, {"created_at": oops}]')
    err = first_error(arr)
    assert (err.line, err.key) == (2, "malformed_json")
    report = IngestReport()
    assert [p.text for p in read_posts(arr, on_error="skip", report=report)] == ["ok"]
    assert report.skipped == {"malformed_json": 1}


def test_truncated_gzip(tmp_path):
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in records(2000)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) - 50])
    err = first_error(path)
    assert err.key == "truncated" and err.field is None and err.line > 1
    report = IngestReport()
    posts = list(read_posts(path, on_error="skip", report=report))
    assert 0 < len(posts) < 2000
    assert report.skipped == {"truncated": 1}
    assert err.line == len(posts) + 1

    for name in ("cut.csv.gz", "cut.json.gz"):
        other = tmp_path / name
        content = "created_at,text\n" + "2020-03-01,hello\n" * 5000 if name.endswith("csv.gz") else json.dumps(records(3000))
        cut = gzip.compress(content.encode())
        other.write_bytes(cut[: len(cut) // 2])
        assert first_error(other).key == "truncated"


def test_empty_files_are_reported_not_errors(tmp_path):
    blank = tmp_path / "blank.csv"
    blank.write_text("\n  \n")
    report = IngestReport()
    posts = list(read_posts([INPUTS / "empty.jsonl", blank, INPUTS / "plain.jsonl"], report=report))
    assert len(posts) == 3
    assert report.empty_files == [str(INPUTS / "empty.jsonl"), str(blank)]
    assert report.n_skipped == 0


def test_file_level_errors_raise_eagerly(tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as info:
        read_posts([INPUTS / "plain.jsonl", missing], on_error="skip")
    assert (info.value.line, str(info.value)) == (0, f"{missing}: file not found")


@pytest.mark.parametrize("kwargs", [{"fmt": "xml"}, {"on_error": "ignore"}])
def test_bad_options(kwargs):
    with pytest.raises(ValueError):
        read_posts(INPUTS / "plain.jsonl", **kwargs)


def test_streams_lazily(tmp_path):
    path = write_jsonl(tmp_path / "lazy.jsonl", records(5) + [{"broken": True}])
    it = read_posts(path)
    assert next(it).id == "r0"  # the bad record at the end is not reached yet


# -- data frames ----------------------------------------------------------------


def test_posts_from_frame():
    df = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2020-03-01 10:00", "2020-03-02 11:00", None]),
            "Text": ["first", None, "third"],
            "is_retweet": [False, True, np.nan],
        }
    )
    report = IngestReport()
    posts = list(posts_from_frame(df, tz="Asia/Tokyo", on_error="skip", report=report))
    assert [p.id for p in posts] == ["frame:1"]
    assert report.skipped == {"missing_text": 1, "missing_time": 1}
    df.loc[2, "Date"] = pd.Timestamp("2020-03-03 12:00")
    posts = list(posts_from_frame(df, tz="Asia/Tokyo", on_error="skip"))
    assert [(p.id, p.text) for p in posts] == [("frame:1", "first"), ("frame:3", "third")]
    assert posts[0].time == dt.datetime(2020, 3, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert isinstance(posts[0].time, dt.datetime)


def test_posts_from_frame_aware_column_and_error_line():
    df = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2020-03-01T10:00:00Z", "2020-03-01T11:00:00Z"]),
            "text": ["ok", None],
        }
    )
    with pytest.raises(InputError) as info:
        list(posts_from_frame(df, name="sample"))
    assert str(info.value) == "sample:2: field 'text': missing"
    # An empty text is no error: the post is dropped and counted.
    report = IngestReport()
    df["text"] = ["ok", " "]
    assert len(list(posts_from_frame(df, name="sample", report=report))) == 1
    assert dict(report.dropped) == {"empty_text": 1}


# -- runs of whole lines (read where they are parsed) ------------------------------


def _comparable(item):
    """A numbered line, or a ready skip as (line, key, reason)."""
    return item if len(item) == 2 else (item[0], item[1].key, item[1].reason)


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_line_ranges_read_the_lines_of_the_whole_file(tmp_path, block):
    from glipca.ingest.files import numbered_lines
    from glipca.ingest.limits import MAX_RECORD_BYTES
    from glipca.ingest.ranges import line_ranges

    # A BOM, CRLF, blank lines, a line over the record limit, no final LF.
    data = (b"\xef\xbb\xbf{\"a\": 1}\r\n\n  \n{\"b\": 2}\n" + b"x" * (MAX_RECORD_BYTES + 5) + b"\n"
            + b"\n".join(b"line %d" % i for i in range(50)))
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    with open(path, "rb") as fh:
        whole = [_comparable(item) for item in numbered_lines(fh)]
    with open(path, "rb") as fh:
        ranges = list(line_ranges(fh, str(path), block))
    assert len(whole) == 55 and whole[4][1] == "too_large" and whole[-1] == (55, b"line 49")
    assert len(ranges) > (1 if block > 64 else 5)
    # Ranges travel to workers pickled; each opens the file itself.
    got = [_comparable(item) for r in pickle.loads(pickle.dumps(ranges)) for item in r]
    assert got == whole
    assert [r.first for r in ranges] == [1] + list(np.cumsum([len(r) for r in ranges[:-1]]) + 1)


def test_batches_of_a_plain_file_read_their_lines_where_they_are_parsed(tmp_path):
    from glipca.ingest import read_batches
    from glipca.ingest.ranges import LineRange

    lines = [json.dumps({"created_at": "2020-03-01T10:00:00Z", "text": f"post {i}"}) for i in range(400)]
    lines[333] = "{oops"
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = IngestReport()
    batches = list(read_batches(path, report=report, range_bytes=1000, on_error="skip"))
    assert len(batches) > 20 and all(isinstance(b.lines, LineRange) for b in batches)
    posts = [p for b in pickle.loads(pickle.dumps(batches)) for p in b.posts(report)]
    assert posts == list(read_posts(path, on_error="skip"))
    assert posts[-1].id == "a.jsonl:400" and report.skipped == {"malformed_json": 1}
    # A bad line is named by its line in the file, whichever batch reads it.
    with pytest.raises(InputError) as info:
        for b in read_batches(path, range_bytes=1000):
            list(b.posts(IngestReport()))
    assert (info.value.file, info.value.line) == (str(path), 334)
    # A file gone when its lines are read: one line naming it.
    path.unlink()
    with pytest.raises(InputError, match="cannot read"):
        list(batches[3].posts(IngestReport()))
