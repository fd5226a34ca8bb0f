"""One counting task: a chunk of posts in, compact word ids out.

A task is either texts with their period keys (posts read in the parent
process) or a :class:`~glipca.ingest.LineBatch` of raw JSON lines, which is
parsed here (and, for a run of an uncompressed file's lines, read here:
:mod:`glipca.ingest.ranges`).  The result is compact: the chunk's own vocabulary and, per
post, its period key and the local ids of its distinct words (and, when
posts are kept, the ids, times and texts of posts parsed here).

This module is imported by worker processes, so it stays light (no pandas,
no scipy).
"""

from __future__ import annotations

import datetime as dt
from array import array
from typing import NamedTuple

from ..ingest import IngestReport, InputError, post_digest

__all__ = ["ChunkResult", "tokenize_texts", "work", "time_ns"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def time_ns(t):
    """Nanoseconds since the epoch of aware datetime ``t``, exactly."""
    return (t - _EPOCH) // _MICROSECOND * 1000


class ChunkResult(NamedTuple):
    """What a task gives back (``error`` set, and nothing else, on failure)."""

    keys: array = None  # int64 period key per post
    words: list = None  # local vocabulary, in the order first met
    lens: array = None  # int32 number of distinct words per post
    ids: array = None  # int32 local word ids, post after post
    digests: list = None  # post_digest per post, when duplicates are dropped
    report: IngestReport = None  # for a LineBatch: what parsing it found
    error: InputError = None
    post_ids: list = None  # when posts are kept: id, time (ns) and text per post
    times: array = None
    texts: list = None


def tokenize_texts(tokenizer, texts):
    """Local vocabulary, distinct words per text and their local ids."""
    vocab = {}
    lens, ids = array("i"), array("i")
    for text in texts:
        words = set(tokenizer(text))
        try:  # most posts hold only words met before: no loop in Python
            ids.extend([vocab[word] for word in words])
        except KeyError:
            for word in words:
                if word not in vocab:
                    vocab[word] = len(vocab)
            ids.extend([vocab[word] for word in words])
        lens.append(len(words))
    return list(vocab), lens, ids


def work(state, task):
    """Run one task; ``state`` is ``(tokenizer, periods, want_digests, keep_posts)``.

    ``task`` is ``("texts", keys, texts, digests, ids, times)``, ``("lines",
    batch)`` or ``("error", InputError)`` (passed through, so that it is
    raised in order).
    """
    tokenizer, periods, want_digests, keep_posts = state
    kind = task[0]
    if kind == "error":
        return ChunkResult(error=task[1])
    report = None
    post_ids = times = None
    if kind == "texts":
        _, keys, texts, digests, post_ids, times = task
    else:
        report = IngestReport()
        try:
            posts = list(task[1].posts(report))
        except InputError as err:
            return ChunkResult(error=err)
        key = periods.key
        keys = array("q", [key(p.time) for p in posts])
        texts = [p.text for p in posts]
        digests = [post_digest(p) for p in posts] if want_digests else None
        if keep_posts:
            post_ids = [p.id for p in posts]
            times = array("q", [time_ns(p.time) for p in posts])
    words, lens, ids = tokenize_texts(tokenizer, texts)
    if not keep_posts:
        return ChunkResult(keys, words, lens, ids, digests, report)
    return ChunkResult(keys, words, lens, ids, digests, report, None, post_ids, times, texts)
