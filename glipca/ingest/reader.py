"""Reading posts: files to records to posts, under an error policy.

Every reader streams: memory does not grow with the size of the input, only
with the size of the largest single record.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Mapping
from typing import Iterator

from .dates import date_order
from .delimited import read_delimited, sniff_separator
from .fields import Schema, kept, settle
from .files import (
    DECOMPRESSION_ERRORS, FORMATS, Truncated, format_from_name, input_files, numbered_lines,
    open_binary, sniff, truncated_reason,
)
from .filters import PostFilter
from .json_stream import read_json
from .jsonl import jsonl_records, read_jsonl
from .records import BadRecord, IngestReport, InputError, Post, RecordError
from .ranges import line_ranges
from .shapes import quick_posts
from .timestamps import zone

__all__ = ["read_posts", "read_batches", "LineBatch", "posts_from_frame", "check_options"]


def _file_records(path, fmt, text_field, report, jsonl=None, time_field=None, sep=None):
    """(line, record or BadRecord, sub) triples of a file; ``jsonl`` may take its lines;
    a table's columns are split at ``sep`` (default: by its format)."""
    raw_fh, base = open_binary(path)
    with base, raw_fh:
        try:
            sniffed = sniff(raw_fh, fmt or format_from_name(path))
        except DECOMPRESSION_ERRORS as exc:
            yield 1, BadRecord("truncated", truncated_reason(exc), fatal=True), 0
            return
        if sniffed is None:
            report.empty_files.append(path)
            return
        fmt = fmt or sniffed
        if fmt == "jsonl" and jsonl is not None:
            # The caller reads the lines itself (see read_batches); an
            # uncompressed UTF-8 file may be cut at its LF bytes.
            yield from jsonl(numbered_lines(raw_fh), raw_fh if raw_fh is base else None)
        elif fmt == "jsonl":
            try:
                yield from read_jsonl(raw_fh, text_field)
            except Truncated as exc:
                yield exc.args[0], BadRecord("truncated", truncated_reason(exc.args[1]), fatal=True), 0
        elif fmt == "json":
            yield from read_json(raw_fh, text_field, time_field)
        else:
            yield from read_delimited(raw_fh, sep or ("\t" if fmt == "tsv" else ","))


def _schema(path, fmt, text_field, time_field, id_field, tzinfo, report, dates=(None, None),
            sep=None):
    """The file's schema: its separator, fields and date order decided on its records.

    ``dates`` is ``(dayfirst, time_format)`` as given (None: decided here).
    """
    schema = Schema(path, text_field, time_field, id_field, tzinfo)
    schema.dayfirst, schema.time_format = dates
    schema.sep = sep if sep is not None else _table_separator(path, fmt)
    if not (text_field and time_field and id_field):
        records = _file_records(path, fmt, text_field, IngestReport(), time_field=time_field,
                                sep=schema.sep)
        try:
            settle(schema, records)
        finally:
            records.close()
    if schema.time is not None and schema.dayfirst is None and not schema.time_format:
        records = _file_records(path, fmt, text_field, IngestReport(), time_field=time_field,
                                sep=schema.sep)
        try:
            schema.dayfirst = date_order(
                (schema.time_value(rec) for _, rec, _ in records if isinstance(rec, Mapping)),
                path, schema.time[-1])
        finally:
            records.close()
    report.notes.extend(f"{path}: {note}" for note in schema.notes.values())
    report.fields[os.path.basename(path)] = schema.decided()
    return schema


def _table_separator(path, fmt):
    """The column separator of a CSV or TSV file (sniffed), or None for JSON."""
    raw_fh, base = open_binary(path)
    with base, raw_fh:
        try:
            fmt = fmt or sniff(raw_fh, format_from_name(path))
        except DECOMPRESSION_ERRORS:
            return None  # the reader reports it, at its line
        if fmt not in ("csv", "tsv"):
            return None
        return sniff_separator(raw_fh, "\t" if fmt == "tsv" else ",")


def check_options(fmt, on_error, tz):
    """Check the reading options shared by every reader; return the zone of ``tz``."""
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS} or None, got {fmt!r}")
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    return zone(tz)


def _emit(records, schema, on_error, report, keep=None):
    """Turn (line, record, sub) triples into posts under the error policy."""
    for line, rec, sub in records:
        report.read += 1
        # A dict is tested first: the common case, kept cheap.
        if type(rec) is dict or (not isinstance(rec, BadRecord) and isinstance(rec, Mapping)):
            try:
                post = schema.post(rec, line, sub)
            except RecordError as exc:
                if exc.key == "empty_text":
                    # Image-only posts are common in exports: left out, counted.
                    report.dropped["empty_text"] += 1
                    continue
                err = InputError(schema.source, line, exc.field, exc.reason, exc.key)
            else:
                post = kept(post, report, keep)
                if post is not None:
                    yield post
                continue
        elif isinstance(rec, BadRecord):
            err = InputError(schema.source, line, None, rec.reason, rec.key)
        else:
            err = InputError(
                schema.source, line, None,
                f"expected a JSON object, got {type(rec).__name__}", "not_object",
            )
        if on_error == "raise":
            raise err
        report.skipped[err.key] += 1
        report.examples.setdefault(err.key, str(err))


def read_posts(
    paths,
    *,
    text_field=None,
    time_field=None,
    id_field=None,
    fmt=None,
    tz="UTC",
    on_error="raise",
    drop_retweets=False,
    drop_duplicates=False,
    report=None,
    sep=None, dayfirst=None, time_format=None,
) -> Iterator[Post]:
    """Stream posts from one or more files.

    Parameters
    ----------
    paths : str, path-like or list of them
        Files, read in the given order; a directory stands for its
        recognised files in sorted order.
    text_field, time_field, id_field : str, optional
        Field (or CSV column) names; dotted names select nested fields.
        Detected automatically when omitted.
    fmt : {"jsonl", "json", "csv", "tsv"}, optional
        Force a format instead of using the extension or content.
    tz : str or tzinfo, default "UTC"
        Zone for timestamps without an offset.
    on_error : {"raise", "skip"}, default "raise"
        Raise :class:`InputError` at the first bad record, or skip bad
        records and count them in ``report.skipped``.
    drop_retweets : bool, default False
        Leave out posts that the input marks as retweets
        (``retweeted_status``, v2 ``referenced_tweets``, an ``RT @`` prefix
        or a true ``retweet``/``is_retweet``/``retweeted`` field).
    drop_duplicates : bool, default False
        Leave out posts with the same time and text as an earlier one (in
        any file).
    report : IngestReport, optional
        Updated as the posts are read; dropped posts are counted in
        ``report.dropped`` (posts with an empty text as ``empty_text``).
    sep : str, optional
        Column separator of tables; default: told from each file's header
        and first rows (``,`` ``;`` tab ``|``).
    dayfirst : bool, optional
        Whether dates such as 01/03/2024 put the day first; default:
        decided from each file (:func:`glipca.ingest.dates.date_order`).
    time_format : str, optional
        A strftime format every time string must match.

    Yields
    ------
    Post

    Raises
    ------
    InputError
        For a bad record under ``on_error="raise"``, and always for a file
        that cannot be opened (with ``line == 0``).

    Notes
    -----
    A malformed JSON array or document cannot be resynchronised: with
    ``on_error="skip"`` the error counts once and the rest of that file is
    dropped.  The same holds for a truncated gzip stream (``"truncated"``).
    JSON lines and CSV continue with the next line or record.
    """
    tzinfo = check_options(fmt, on_error, tz)
    files = input_files(paths)
    for path in files:
        if not os.path.exists(path):
            raise InputError(path, 0, None, "file not found", "file")
    if report is None:
        report = IngestReport()
    keep = PostFilter(drop_retweets, drop_duplicates)
    return _read_files(files, text_field, time_field, id_field, fmt, tzinfo, on_error, report, keep,
                       (dayfirst, time_format), sep)


def _read_files(files, text_field, time_field, id_field, fmt, tzinfo, on_error, report, keep,
                dates, sep):
    for path in files:
        report.files.append(path)
        try:
            schema = _schema(path, fmt, text_field, time_field, id_field, tzinfo, report, dates,
                             sep)
            records = _file_records(path, fmt, text_field, report, time_field=time_field,
                                    sep=schema.sep)
            yield from _emit(records, schema, on_error, report, keep)
        except OSError as exc:
            raise InputError(path, 0, None, f"cannot read: {exc.strerror or exc}", "file") from None


class LineBatch:
    """Lines of a JSON lines file, read but not parsed yet.

    Made by :func:`read_batches` so that parsing can happen in another
    process: a batch is small to pickle (the raw lines and the file's
    resolved field names) and :meth:`posts` parses it exactly as
    :func:`read_posts` would.
    """

    __slots__ = ("schema", "lines", "text_field", "on_error", "drop_retweets")

    def __init__(self, schema, lines, text_field, on_error, drop_retweets):
        self.schema = schema
        self.lines = lines  # (line number, bytes) pairs, or a LineRange of them
        self.text_field = text_field
        self.on_error = on_error
        self.drop_retweets = drop_retweets

    def __len__(self):
        return len(self.lines)

    def __getstate__(self):
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state):
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)

    def posts(self, report) -> Iterator[Post]:
        """Parse the lines; ``report`` counts them as :func:`read_posts` does."""
        schema, keep = self.schema, PostFilter(self.drop_retweets, False)

        def general(item):
            return _emit(jsonl_records([item], self.text_field), schema, self.on_error, report, keep)

        return quick_posts(self.lines, schema, keep, report, general)


def read_batches(
    paths,
    *,
    text_field=None,
    time_field=None,
    id_field=None,
    fmt=None,
    tz="UTC",
    on_error="raise",
    drop_retweets=False,
    report=None,
    size=2000, max_bytes=4 << 20, range_bytes=1 << 19,
    sep=None, dayfirst=None, time_format=None,
):
    """Stream posts, leaving the parsing of JSON lines to the caller.

    Like :func:`read_posts` (without duplicate removal), except that the
    lines of JSON lines files come as :class:`LineBatch` objects of
    ``size`` lines or ``max_bytes`` bytes, whichever comes first.  Parsing is
    most of the cost of reading, and this lets it run in parallel.  The
    batches of an uncompressed UTF-8 file hold runs of whole lines of about
    ``range_bytes`` bytes (:class:`~glipca.ingest.ranges.LineRange`), read
    only when the batch is parsed, so that reading runs in parallel too
    (0: read the lines here).

    Yields
    ------
    Post or LineBatch
        In file order.  ``report`` counts the posts yielded here as they are
        read, and the lines of a batch when its :meth:`LineBatch.posts` is
        called with it.
    """
    tzinfo = check_options(fmt, on_error, tz)
    files = input_files(paths)
    for path in files:
        if not os.path.exists(path):
            raise InputError(path, 0, None, "file not found", "file")
    if report is None:
        report = IngestReport()
    keep, dates = PostFilter(drop_retweets, False), (dayfirst, time_format)

    def make(state, lines):
        return LineBatch(state, lines, text_field, on_error, drop_retweets)

    def batches(files):
        for path in files:
            report.files.append(path)
            try:
                schema = _schema(path, fmt, text_field, time_field, id_field, tzinfo, report, dates, sep)
            except OSError as exc:
                raise InputError(path, 0, None, f"cannot read: {exc.strerror or exc}", "file") from None

            jsonl = functools.partial(_line_batches, schema=schema, path=path,
                                      text_field=text_field, make=make,
                                      size=size, max_bytes=max_bytes, range_bytes=range_bytes)
            records = _file_records(path, fmt, text_field, report, jsonl=jsonl, time_field=time_field,
                                    sep=schema.sep)
            try:
                for item in records:
                    if isinstance(item, (Post, LineBatch)):
                        yield item
                    else:
                        yield from _emit([item], schema, on_error, report, keep)
            except OSError as exc:
                raise InputError(path, 0, None, f"cannot read: {exc.strerror or exc}", "file") from None

    return batches(files)


def _line_batches(numbered, plain, schema, path, text_field, make, size, max_bytes, range_bytes):
    """Batches of the (line number, bytes) pairs of a JSON lines file;
    ``make(schema, lines)`` makes one; ``plain``: the file, when it may be
    cut into runs of whole lines (uncompressed UTF-8), else None."""
    # Each batch carries the field names as they stood before its first
    # line, so that it is parsed exactly as read_posts would.  Until they
    # are settled, this process reads the records too, only to settle them
    # (a line or two, usually).
    if plain is not None and schema.resolved and range_bytes:
        for lines in line_ranges(plain, path, range_bytes):
            yield make(copy.copy(schema), lines)
        return
    lines, state, n_bytes = [], copy.copy(schema), 0
    try:
        for item in numbered:
            if not schema.resolved:
                for _, rec, _ in jsonl_records([item], text_field):
                    if isinstance(rec, Mapping) and not schema.resolved:
                        schema.resolve(rec.keys())
            lines.append(item)
            n_bytes += len(item[1])
            if len(lines) >= size or n_bytes >= max_bytes:
                yield make(state, lines)
                lines, state, n_bytes = [], copy.copy(schema), 0
    except Truncated as exc:
        lines.append((exc.args[0], BadRecord("truncated", truncated_reason(exc.args[1]), fatal=True), 0))
    if lines:
        yield make(state, lines)


def posts_from_frame(
    df,
    *,
    text_field=None,
    time_field=None,
    id_field=None,
    tz="UTC",
    on_error="raise",
    drop_retweets=False,
    drop_duplicates=False,
    report=None,
    name="frame",
    dayfirst=None,
    time_format=None,
) -> Iterator[Post]:
    """Stream posts from the rows of a pandas DataFrame.

    Fields are detected from the column names as for :func:`read_posts`.
    Datetime columns (naive or aware) are accepted as they are.

    Parameters
    ----------
    df : pandas.DataFrame
    text_field, time_field, id_field, tz, on_error, drop_retweets, drop_duplicates, report
        As for :func:`read_posts`.
    dayfirst, time_format
        As for :func:`read_posts`, for a column of time strings.
    name : str, default "frame"
        Stands for the file name in errors and generated ids
        (``"{name}:{row}"``, rows counted from 1).

    Yields
    ------
    Post
    """
    tzinfo = check_options(None, on_error, tz)
    if report is None:
        report = IngestReport()
    keep = PostFilter(drop_retweets, drop_duplicates)
    return _frame_posts(df, text_field, time_field, id_field, tzinfo, on_error, report, name, keep,
                        (dayfirst, time_format))


def _frame_posts(df, text_field, time_field, id_field, tzinfo, on_error, report, name, keep,
                 dates):
    report.files.append(name)
    schema = Schema(name, text_field, time_field, id_field, tzinfo)
    schema.dayfirst, schema.time_format = dates
    schema.resolve([c for c in df.columns if isinstance(c, str)])
    column = schema.time and next((c for c in schema.time if c in df.columns), None)
    if column is not None and schema.dayfirst is None and not schema.time_format:
        schema.dayfirst = date_order(df[column], name, column)
    report.fields[name] = schema.decided()

    def records():
        # Convert in blocks so that at most one block of row dicts exists.
        step = 10_000
        for start in range(0, len(df), step):
            block = df.iloc[start:start + step].to_dict("records")
            for k, rec in enumerate(block, start=start + 1):
                yield k, rec, 0

    yield from _emit(records(), schema, on_error, report, keep)
