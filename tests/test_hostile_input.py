"""Hostile and odd input: limits per record, other encodings and line ends,
damaged JSON arrays, field guessing on a sample, and whole-run accounting.
"""

import codecs
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glipca.cli import main
from glipca.counting.prepare import prepare_counts
from glipca.datasets.hostile import MUTATIONS, mutate_lines
from glipca.ingest import IngestReport, InputError, parse_time, read_batches, read_posts
from glipca.ingest.limits import MAX_RECORD_BYTES

RECORDS = [
    {"id": f"g{i}", "created_at": f"2020-03-{1 + i % 5:02d}T{i % 24:02d}:00:00Z", "text": f"flu fever cough {i}"}
    for i in range(40)
]
LINES = [json.dumps(r).encode() for r in RECORDS]


def _read(path, **kwargs):
    report = IngestReport()
    posts = list(read_posts(path, report=report, **kwargs))
    return posts, report


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- bounded work per record ---------------------------------------------------------


@pytest.mark.parametrize("line, key, words", [
    (b"[" * 100_000 + b"]" * 100_000, "too_deep", "nested deeper than 100 levels"),
    (b'{"a":' * 5000 + b"1" + b"}" * 5000, "too_deep", "nested deeper than 100 levels"),
    (b'{"text": "x", "created_at": "2020-03-01", "n": ' + b"7" * 5000 + b"}", "too_large", "4300 digits"),
    (b'{"text": "x", "created_at": ' + b"7" * 5000 + b"}", "too_large", "4300 digits"),
    (b'{"text": "' + b"x" * (MAX_RECORD_BYTES + 10) + b'", "created_at": "2020-03-01"}', "too_large",
     f"longer than {MAX_RECORD_BYTES} bytes"),
], ids=["deep-array", "deep-object", "long-number", "long-number-time", "long-line"])
@pytest.mark.parametrize("layout", ["jsonl", "json"])
def test_records_over_a_limit_are_one_line_or_a_counted_skip(tmp_path, line, key, words, layout):
    if layout == "jsonl":
        data = b"\n".join(LINES[:20] + [line] + LINES[20:]) + b"\n"
    else:
        data = b"[" + b",\n".join(LINES[:20] + [line] + LINES[20:]) + b"]"
    path = _write(tmp_path, f"a.{layout}", data)
    with pytest.raises(InputError) as info:
        _read(path)
    assert str(info.value).startswith(f"{path}:21: ") and words in str(info.value)
    assert info.value.key == key
    posts, report = _read(path, on_error="skip")
    assert len(posts) == 40 and dict(report.skipped) == {key: 1} and report.balanced


@pytest.mark.parametrize("first, key, words", [
    (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "too_deep", "nested deeper than 100 levels"),
    (b'{"text": "' + b"x" * (MAX_RECORD_BYTES + 10) + b'", "created_at": "2020-03-01"}', "too_large",
     f"longer than {MAX_RECORD_BYTES} bytes"),
], ids=["deep", "long"])
def test_a_first_line_over_a_limit_is_sniffed_without_decoding_it(tmp_path, first, key, words):
    # A .json file starting with "{": the format is told by decoding the first line.
    path = _write(tmp_path, "a.json", b"\n".join([first] + LINES))
    with pytest.raises(InputError) as info:
        _read(path)
    assert str(info.value).startswith(f"{path}:1: ") and words in str(info.value)
    posts, report = _read(path, on_error="skip")
    assert len(posts) == 40 and dict(report.skipped) == {key: 1}


def test_nesting_within_the_limit_is_read(tmp_path):
    rec = dict(RECORDS[0], deep=json.loads("[" * 99 + "]" * 99))
    posts, report = _read(_write(tmp_path, "a.jsonl", json.dumps(rec).encode()))
    assert len(posts) == 1 and report.skipped == {}


@pytest.mark.parametrize("value", [10**5000, "9" * 5000, 10**400, -(10**400), "1e999"],
                         ids=["int", "digits", "int400", "negative", "float"])
def test_huge_epoch_values_are_out_of_range(value):
    with pytest.raises(ValueError, match="out of range") as info:
        parse_time(value)
    assert len(str(info.value)) < 200


# -- encodings and line ends ---------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
                                      "utf-16-le-unmarked", "utf-16-be-unmarked", "utf-32-le-unmarked",
                                      "utf-32-be-unmarked"])
@pytest.mark.parametrize("layout", ["jsonl", "json", "csv"])
def test_utf16_and_utf32_with_or_without_a_byte_order_mark_are_read(tmp_path, encoding, layout):
    texts = [r["text"] + " 東京 é" for r in RECORDS]
    if layout == "csv":
        text = "id,created_at,text\n" + "".join(f'{r["id"]},{r["created_at"]},"{t}"\n' for r, t in zip(RECORDS, texts))
    else:
        recs = [dict(r, text=t) for r, t in zip(RECORDS, texts)]
        dumped = [json.dumps(r, ensure_ascii=False) for r in recs]
        text = "\n".join(dumped) + "\n" if layout == "jsonl" else "[" + ",\n".join(dumped) + "]"
    data = text.encode(encoding.removesuffix("-unmarked"))
    if encoding.endswith(("le", "be")):  # the plain name writes a mark itself
        bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
               "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[encoding]
        data = bom + data
    posts, report = _read(_write(tmp_path, f"a.{layout}", data))
    assert [p.text for p in posts] == texts and report.balanced
    # The batch reader (parallel parsing) reads them the same.
    report = IngestReport()
    items = list(read_batches(tmp_path / f"a.{layout}", report=report))
    got = [p for item in items for p in (item.posts(report) if hasattr(item, "posts") else [item])]
    assert [p.text for p in got] == texts


@pytest.mark.parametrize("layout", ["jsonl", "csv"])
def test_cr_only_line_ends_are_read(tmp_path, layout):
    if layout == "csv":
        data = b"id,created_at,text\r" + b"".join(
            f'{r["id"]},{r["created_at"]},{r["text"]}\r'.encode() for r in RECORDS)
    else:
        data = b"\r".join(LINES) + b"\r"
    path = _write(tmp_path, f"a.{layout}", data)
    posts, report = _read(path)
    assert [p.id for p in posts] == [r["id"] for r in RECORDS]
    bad = _write(tmp_path, f"b.{layout}", data.replace(b"2020-03-03", b"2020-13-03", 1))
    with pytest.raises(InputError, match=f"{bad}:{4 if layout == 'csv' else 3}: "):  # numbered as lines
        _read(bad)


def test_cli_reads_utf16_and_cr_only_files(tmp_path):
    a = _write(tmp_path, "a.jsonl", (b"\n".join(LINES) + b"\n").decode().encode("utf-16"))
    b = _write(tmp_path, "b.jsonl", b"\r".join(LINES))
    result = CliRunner().invoke(main, ["count", str(a), str(b), "--out", str(tmp_path / "o"), "--lang", "en",
                                       "-j", "2", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "posts: 80 read, 80 used, 0 skipped" in result.output


# -- damaged JSON arrays -------------------------------------------------------------


@pytest.mark.parametrize("bad, key, n_used, line", [
    (b'{"text": oops}', "malformed_json", 40, 21),
    (b"42", "not_object", 40, 21),
    (b'{"text": "x", "created_at": "soon"}', "bad_time", 40, 21),
    (b'{"text": "x", "created_at": "2020-03-01"}}', "malformed_json", 41, 22),  # a good element, then damage
    (b'{"text": "x", "created_at": "2020-03-01" ', "malformed_json", 40, 21),  # no closing brace
    (b'{"text": "\xff", "created_at": "2020-03-01"}', "encoding", 40, 21),
])
def test_json_array_reads_on_after_a_bad_element(tmp_path, bad, key, n_used, line):
    path = _write(tmp_path, "a.json", b"[" + b",\n".join(LINES[:20] + [bad] + LINES[20:]) + b"]")
    with pytest.raises(InputError, match=f"{path}:{line}: "):
        _read(path)
    posts, report = _read(path, on_error="skip")
    assert dict(report.skipped) == {key: 1} and report.used == n_used and report.balanced
    assert posts[-1].id == "g39"


def test_json_array_with_a_bad_element_through_the_cli(tmp_path):
    path = _write(tmp_path, "a.json", b"[" + b",".join(LINES[:20] + [b'{"text": oops}'] + LINES[20:]) + b"]")
    result = CliRunner().invoke(main, ["count", str(path), "--out", str(tmp_path / "o"), "--lang", "en",
                                       "--on-error", "skip", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "posts: 41 read, 40 used, 1 skipped (malformed_json: 1)" in result.output


# -- field guessing on a sample ------------------------------------------------------


def test_one_odd_first_record_does_not_decide_the_fields(tmp_path):
    odd = json.dumps({"id": "odd", "created_at": "2020-03-01", "body": "another field"}).encode()
    path = _write(tmp_path, "a.jsonl", b"\n".join([odd] + LINES) + b"\n")
    posts, report = _read(path, on_error="skip")
    assert len(posts) == 40 and dict(report.skipped) == {"missing_text": 1}
    (note,) = report.notes
    assert note == (f"{path}: records disagree on the text field: 40 of 41 sampled records have 'text', "
                     "1 has 'body'; records without 'text' are skipped (choose one with `text_field`)")
    with pytest.raises(InputError) as info:
        _read(path)
    assert str(info.value).startswith(f"{path}:1: field 'text': missing; records disagree on the text field: 40 of 41")


def test_the_counts_of_a_disagreement_add_up_to_the_sample(tmp_path):
    odd = [json.dumps({"id": "a", "created_at": "2020-03-01", "body": "x"}).encode(),
           json.dumps({"id": "b", "created_at": "2020-03-01", "words": "x"}).encode(),
           json.dumps({"id": "c", "created_at": "2020-03-01"}).encode()]
    path = _write(tmp_path, "a.jsonl", b"\n".join(odd + LINES) + b"\n")
    posts, report = _read(path, on_error="skip")
    assert len(posts) == 40 and dict(report.skipped) == {"missing_text": 3}
    assert report.notes == [f"{path}: records disagree on the text field: 40 of 43 sampled records have "
                            "'text', 1 has 'body', 2 have no text field; records without 'text' are skipped "
                            "(choose one with `text_field`)"]


def test_the_majority_field_wins_and_the_cli_says_so(tmp_path):
    recs = [dict(id=r["id"], date=r["created_at"], content=r["text"]) for r in RECORDS]
    recs[:3] = [dict(r, created_at="2020-03-01") for r in recs[:3]]  # a few with another time field too
    path = _write(tmp_path, "a.jsonl", "".join(json.dumps(r) + "\n" for r in recs).encode())
    posts, report = _read(path)
    assert len(posts) == 40 and report.notes == []  # every record has the majority's field
    mixed = _write(tmp_path, "b.jsonl", b"\n".join(LINES[:30] + [json.dumps(r).encode() for r in recs[30:]]))
    result = CliRunner().invoke(main, ["count", str(mixed), "--out", str(tmp_path / "o"), "--lang", "en",
                                       "--on-error", "skip", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "posts: 40 read, 30 used, 10 skipped (missing_text: 10)" in result.output
    assert ("glipca: warning: " + str(mixed) + ": records disagree on the text field: 30 of 40 sampled records "
            "have 'text', 10 have 'content'") in result.output


# -- the rows of the table of broken inputs, through the command line ----------------

_ODD = json.dumps({"id": "odd", "created_at": "2020-03-01", "body": "another field"}).encode()
_MISSING = ("field 'text': missing; records disagree on the text field: 40 of 41 sampled records have "
            "'text', 1 has 'body'")
# name: (file name, bytes, default mode: None (read) or (line, words); skip mode: skipped by reason)
TABLE = {
    "nested 100,000 deep": ("a.jsonl", b"\n".join(LINES[:20] + [b"[" * 10**5 + b"]" * 10**5] + LINES[20:]),
                            (21, "nested deeper than 100 levels (the limit)"), {"too_deep": 1}),
    "5,000-digit number": ("a.jsonl", b"\n".join(LINES[:20] + [LINES[20][:-1] + b', "n": ' + b"7" * 5000 + b"}"]
                                                 + LINES[20:]),
                           (21, "a number longer than 4300 digits (the limit)"), {"too_large": 1}),
    "bad array element": ("a.json", b"[" + b",\n".join(LINES[:20] + [b'{"text": oops}'] + LINES[20:]) + b"]",
                          (21, "malformed JSON"), {"malformed_json": 1}),
    "UTF-16 with a mark": ("a.jsonl", (b"\n".join(LINES) + b"\n").decode().encode("utf-16"), None, {}),
    "CR-only line ends": ("a.jsonl", b"\r".join(LINES) + b"\r", None, {}),
    "odd first record": ("a.jsonl", b"\n".join([_ODD] + LINES), (1, _MISSING), {"missing_text": 1}),
}


@pytest.mark.parametrize("name", TABLE)
def test_each_broken_input_is_one_line_or_a_counted_skip(tmp_path, name):
    filename, data, error, skipped = TABLE[name]
    path = _write(tmp_path, filename, data)
    for jobs in ("1", "2"):
        args = ["count", str(path), "--lang", "en", "--no-cache", "-j", jobs]
        result = CliRunner().invoke(main, args + ["--out", str(tmp_path / f"raise{jobs}")], catch_exceptions=False)
        if error is None:
            assert result.exit_code == 0, result.output
            assert "posts: 40 read, 40 used, 0 skipped\n" in result.output
        else:
            assert result.exit_code == 2
            (line,) = result.output.splitlines()
            assert line.startswith(f"glipca: error: {path}:{error[0]}: ") and error[1] in line, line
        result = CliRunner().invoke(main, args + ["--out", str(tmp_path / f"skip{jobs}"), "--on-error", "skip"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        report = json.loads((tmp_path / f"skip{jobs}" / "meta.json").read_text("utf-8"))["report"]
        assert report["used"] == 40 and report["skipped"] == skipped and report["n_dropped"] == 0
        assert report["read"] == report["used"] + report["n_skipped"]


# -- whole-run accounting ------------------------------------------------------------

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.sampled_from([None, *sorted(MUTATIONS)]),
                       st.integers(0, 2**16)), max_size=40),
    st.sampled_from(["jsonl", "json", "csv"]),
    st.booleans(), st.booleans(), st.sampled_from([1, 2]),
)
def test_read_equals_used_plus_skipped_plus_dropped(tmp_path, picks, layout, retweets, duplicates, jobs):
    lines = []
    for i, kind, seed in picks:
        line = LINES[i] if i % 7 else LINES[i].replace(b'"text": "', b'"text": "RT @x ')
        lines += [line] if kind is None else mutate_lines([line], rate=1, seed=seed, size=4000, kinds=[kind])
    if layout == "csv":
        data = b"id,created_at,text\n" + b"\n".join(lines)
    elif layout == "json":
        data = b"[" + b",\n".join(lines) + b"]"
    else:
        data = b"\n".join(lines)
    path = _write(tmp_path, f"a.{layout}", data)
    options = dict(on_error="skip", drop_retweets=retweets, drop_duplicates=duplicates)
    posts, report = _read(path, **options)
    assert report.balanced and report.used == len(posts)
    try:
        prepared = prepare_counts(path, lang="en", jobs=jobs, cache=False, **options)
    except ValueError as err:  # no post at all: refused in one line
        assert report.used == 0 and "\n" not in str(err)
        return
    assert prepared.report.balanced
    assert prepared.report.as_dict() == report.as_dict()


# -- text every writer can encode; CSV rows that do not fit the header ------------------


def test_lone_surrogates_are_replaced_and_counted(tmp_path):
    import pandas as pd

    lines = [line.replace(b'"text": "', b'"text": "\\ud83d cut ') if i % 4 == 0 else line
             for i, line in enumerate(LINES)]
    lines[1] = lines[1].replace(b'"id": "g1"', b'"id": "g1\\udc00"')
    posts, report = _read(_write(tmp_path, "a.jsonl", b"\n".join(lines)))
    assert dict(report.repaired) == {"unencodable": 11} and report.balanced
    assert posts[0].text == "\ufffd cut flu fever cough 0" and posts[1].id == "g1\ufffd"
    for p in posts:
        (p.id + p.text).encode("utf-8")
    frame = pd.DataFrame({"created_at": ["2020-03-01"], "text": ["a \ud800 b"]}, dtype=object)
    from glipca.ingest import posts_from_frame

    report = IngestReport()
    (post,) = posts_from_frame(frame, report=report)
    assert post.text == "a \ufffd b" and report.repaired["unencodable"] == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_repairs_are_counted_alike_when_a_repaired_post_is_a_duplicate(tmp_path, jobs):
    line = json.dumps({"id": "1", "created_at": "2020-03-01T00:00:00Z", "text": "a \ud800 b"})
    path = _write(tmp_path, "a.jsonl", (line + "\n" + line + "\n").encode())
    options = dict(on_error="skip", drop_duplicates=True)
    _, report = _read(path, **options)
    prepared = prepare_counts(path, lang="en", jobs=jobs, cache=False, **options)
    assert dict(report.dropped) == {"duplicate": 1} and dict(report.repaired) == {"unencodable": 2}
    assert prepared.report.as_dict() == report.as_dict()


def test_analyse_writes_posts_whose_text_held_lone_surrogates(tmp_path):
    from glipca.datasets import make_trend_corpus

    corpus = make_trend_corpus(n_days=30, n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(300, 400), seed=2)
    path = tmp_path / "a.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for r in corpus.posts.itertuples(index=False):
            fh.write(json.dumps({"id": int(r.id), "created_at": r.created_at, "text": r.text + " \ud83d"}) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["analyse", str(path), "--out", str(out), "--lang", "en", "--resamples", "0",
                                       "--no-plots", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"; {len(corpus.posts)} repaired (unencodable: {len(corpus.posts)})" in result.output
    doc = json.loads((out / "clusters.json").read_text("utf-8"))
    assert doc["summary"]["posts_repaired"] == {"unencodable": len(corpus.posts)}
    kept = json.loads((out / "posts.json").read_text("utf-8"))["posts"]
    texts = [p["text"] for cluster in kept for p in cluster]
    assert texts and all(t.endswith(" \ufffd") for t in texts)


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_rows_with_more_fields_than_the_header(tmp_path, delimiter):
    rows = ["id,created_at,text", "1,2020-03-01,hello world", "2,2020-03-02,hello, world", "3,2020-03-03,fine,"]
    path = _write(tmp_path, "a.csv" if delimiter == "," else "a.tsv",
                  "\n".join(rows).replace(",", delimiter).encode() + b"\n")
    with pytest.raises(InputError) as info:
        _read(path)
    assert str(info.value) == f"{path}:3: expected 3 fields, found 4"
    posts, report = _read(path, on_error="skip")
    assert [p.text for p in posts] == ["hello world", "fine"]  # an empty extra field is a trailing delimiter
    assert dict(report.skipped) == {"too_many_fields": 1}


@pytest.mark.parametrize("quoted", [False, True], ids=["plain-rows", "quoted-rows"])
def test_a_quote_never_closed_does_not_swallow_the_rows_after_it(tmp_path, quoted):
    text = '"{}, flu"' if quoted else "{} flu"
    rows = [f"{i},2020-03-01,{text.format(i)}" for i in range(30)]
    bad = '99,2020-03-01,"unterminated text'
    path = _write(tmp_path, "a.csv", ("id,created_at,text\n" + "\n".join(rows[:10] + [bad] + rows[10:]) + "\n").encode())
    with pytest.raises(InputError) as info:
        _read(path)
    assert str(info.value).startswith(f"{path}:12: a quote opened on this line is not closed (it ran over the next")
    posts, report = _read(path, on_error="skip")
    assert [p.id for p in posts] == [str(i) for i in range(30)]
    assert dict(report.skipped) == {"malformed_csv": 1} and report.balanced
    # A quoted text over several lines, quotes doubled inside, is one record.
    good = '99,2020-03-01,"line one\nline ""two""\nthree"'
    path = _write(tmp_path, "b.csv", ("id,created_at,text\n" + "\n".join(rows[:10] + [good] + rows[10:]) + "\n").encode())
    posts, report = _read(path)
    assert len(posts) == 31 and posts[10].text == 'line one\nline "two"\nthree'
    # In the header, nothing after it can be read.
    path = _write(tmp_path, "c.csv", ('id,"created_at,text\n' + "\n".join(rows) + "\n").encode())
    with pytest.raises(InputError, match=f"{path}:1: unreadable header: a quote opened on this line is not closed"):
        _read(path)
    posts, report = _read(path, on_error="skip")
    assert posts == [] and dict(report.skipped) == {"malformed_csv": 1} and report.balanced
