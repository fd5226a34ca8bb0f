"""Posts to word counts: read, filter, tokenise, count, and cache.

:func:`prepare_counts` is the one way glipca turns posts into a
:class:`~glipca.counts.WordCounts`.  The ``analyse`` and ``count`` commands
and :func:`glipca.pipeline.run_analysis` all call it, so they count alike and
share the cache: rerunning an analysis with other clustering parameters does
not tokenise again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Optional

import pandas as pd

from .cache import CountCache, cache_key
from .counts import WordCounts, count_words
from .periods import Periods, zone
from ..ingest import IngestReport, input_files, posts_from_frame, read_batches, read_posts
from .parallel import available_cores
from ..tokens import detect_language, make_tokenizer

__all__ = ["PreparedCounts", "prepare_counts", "default_tz", "LANGUAGE_SAMPLE"]

#: Posts sampled to guess the language with ``lang="auto"``.
LANGUAGE_SAMPLE = 2000


def default_tz(lang):
    """Day boundaries follow the audience: Tokyo time for Japanese, else UTC."""
    return "Asia/Tokyo" if lang == "ja" else "UTC"


@dataclass
class PreparedCounts:
    """Word counts with what produced them.

    Attributes
    ----------
    counts : WordCounts
    report : IngestReport
        Posts read, used, skipped and dropped (restored from the cache on a
        hit).
    lang, tz, freq : str
        Language and period settings actually used.
    params : dict
        Every option that shaped the counts (tokeniser included); part of
        the cache key.
    key : str or None
        Cache key (also when the cache is off); None for a data frame.
    from_cache : bool
        Whether the counts were read from the cache.
    """

    counts: WordCounts
    report: IngestReport
    lang: str
    tz: str
    freq: str
    params: dict
    key: Optional[str] = None
    from_cache: bool = False


def _posts(source, **options):
    if isinstance(source, pd.DataFrame):
        options.pop("fmt", None)
        return posts_from_frame(source, **options)
    return read_posts(source, **options)


def prepare_counts(
    source,
    *,
    lang="auto",
    text_field=None,
    time_field=None,
    id_field=None,
    fmt=None,
    tz=None,
    freq="D",
    on_error="raise",
    drop_retweets=False,
    drop_duplicates=False,
    tokenizer_options=None,
    jobs=1,
    cache=None,
    progress=False,
) -> PreparedCounts:
    """Count, per period, the posts that contain each word.

    Parameters
    ----------
    source : path, list of paths, or DataFrame
        Post files (see :func:`glipca.ingest.read_posts`) or a table.
    lang : {"auto", "ja", "en"} or ISO code, default "auto"
        Tokeniser language; "auto" looks at the first posts.
    text_field, time_field, id_field, fmt, on_error, drop_retweets, drop_duplicates
        As for :func:`glipca.ingest.read_posts`.
    tz : str, optional
        Zone of period boundaries and of naive timestamps; default
        Asia/Tokyo for Japanese, else UTC.
    freq : str, default "D"
        Period length, see :func:`glipca.counts.count_words`.
    tokenizer_options : dict, optional
        Passed to :func:`glipca.tokens.make_tokenizer`.
    jobs : int or None, default 1
        Tokenising processes; None for all cores.
    cache : bool, path or CountCache, optional
        Where counts of files are cached: True for the default folder
        (:func:`glipca.cache.default_cache_dir`); None or False for no cache.
    progress : bool, default False
        Progress bar on stderr (when it is a terminal).

    Returns
    -------
    PreparedCounts
    """
    fields = {"text_field": text_field, "time_field": time_field, "id_field": id_field}
    if lang == "auto":
        # The language decides the zone in which naive timestamps are read,
        # so it is settled first, on a separate look at the first posts.
        sample = _posts(source, fmt=fmt, tz="UTC", on_error="skip", report=IngestReport(), **fields)
        lang = detect_language(p.text for p in itertools.islice(sample, LANGUAGE_SAMPLE))
    tz = tz or default_tz(lang)
    Periods(freq, zone(tz))  # bad freq or tz: fail before any work
    tokenizer = make_tokenizer(lang, **(tokenizer_options or {}))
    tokenizer("")  # bad MeCab options: fail here, once, not in every worker
    params = {
        "lang": lang,
        "tz": tz,
        "freq": freq,
        "tokenizer": tokenizer.params(),
        "fields": fields,
        "format": fmt,
        "on_error": on_error,
        "drop_retweets": bool(drop_retweets),
        "drop_duplicates": bool(drop_duplicates),
    }
    report = IngestReport()
    # Opening the posts checks that every file exists.  From files, most
    # lines are parsed where they are tokenised (in parallel), and
    # duplicates are found while counting.
    if isinstance(source, pd.DataFrame):
        posts = posts_from_frame(
            source, tz=tz, on_error=on_error, drop_retweets=drop_retweets,
            drop_duplicates=drop_duplicates, report=report, **fields,
        )
    else:
        posts = read_batches(
            source, fmt=fmt, tz=tz, on_error=on_error, drop_retweets=drop_retweets, report=report, **fields
        )
    files = None if isinstance(source, pd.DataFrame) else input_files(source)
    store = _cache(cache) if files is not None else None
    key = cache_key(files, params) if files is not None else None
    if store is not None:
        hit = store.get(key)
        if hit is not None:
            counts, cached_report, _ = hit
            return PreparedCounts(counts, cached_report, lang, tz, freq, params, key, True)
    counts = count_words(
        posts, tokenizer, freq=freq, tz=tz, progress=progress, report=report,
        jobs=available_cores() if jobs is None else jobs,
        drop_duplicates=drop_duplicates and not isinstance(source, pd.DataFrame),
    )
    if store is not None:
        store.put(key, counts, report, params)
    return PreparedCounts(counts, report, lang, tz, freq, params, key, False)


def _cache(cache):
    if cache is None or cache is False:
        return None
    if isinstance(cache, CountCache):
        return cache
    return CountCache(None if cache is True else cache)
