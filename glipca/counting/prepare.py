"""Posts to word counts: read, filter, tokenise, count, and cache.

:func:`prepare_counts` is the one way glipca turns posts into a
:class:`~glipca.counts.WordCounts`.  The ``analyse`` and ``count`` commands
and :func:`glipca.pipeline.run_analysis` all call it, so they count alike and
share the cache: rerunning an analysis with other clustering parameters does
not tokenise again.
"""

from __future__ import annotations

import itertools
import os
import sys
from dataclasses import dataclass
from typing import Optional

from .cache import CountCache, cache_key, content_ids
from .counts import VocabularyFlood, WordCounts, count_post_words
from .flood import FLOOD_WORDS, frequent_words
from .postwords import PostWords
from ..ingest import IngestReport, InputError, input_files, posts_from_frame, read_batches, read_posts
from .options import DEFAULT_JOBS, CountOptions, count_options, default_tz
from ..tokens import detect_language
from .parallel import available_cores

__all__ = ["PreparedCounts", "prepare_counts", "resolve_options", "source_posts", "existing_files", "default_tz", "LANGUAGE_SAMPLE"]

#: Posts sampled to guess the language with ``lang="auto"``.
LANGUAGE_SAMPLE = 2000


@dataclass
class PreparedCounts:
    """Word counts with what produced them.

    Attributes
    ----------
    counts : WordCounts
    report : IngestReport
        Posts read, used, skipped and dropped (restored from the cache on a
        hit).
    options : CountOptions
        The options actually used (language and time zone settled).
    params : dict
        Every option that shaped the counts (tokeniser included); part of
        the cache key (:meth:`CountOptions.params`).
    key : str or None
        Cache key (also when the cache is off); None for a data frame.
    from_cache : bool
        Whether the counts were read from the cache.
    posts : PostWords or None
        Each counted post's period, words, id, time and text
        (:mod:`glipca.counting.postwords`); None when not kept.
    content : list or None
        ``[name, size, SHA-256]`` of each input file
        (:func:`~glipca.counting.cache.content_ids`); None for a data frame.
    window : tuple
        ``(since, until, last)`` of the analysis window asked for (None:
        the bulk of the posts); the counts do not depend on it.
    choose_freq : bool
        Whether the analysis chooses the period length (``freq="auto"``:
        the posts are counted by day).
    store : str or None
        Name of the count store the counts were read from.
    """

    counts: WordCounts
    report: IngestReport
    options: CountOptions
    params: dict
    key: Optional[str] = None
    from_cache: bool = False
    posts: Optional[PostWords] = None
    content: Optional[list] = None
    window: tuple = (None, None, None)
    choose_freq: bool = False
    store: Optional[str] = None

    @property
    def lang(self):
        return self.options.lang

    @property
    def tz(self):
        return self.options.tz

    @property
    def freq(self):
        return self.options.freq


def source_posts(source, read, **overrides):
    """Posts of files or of a data frame, read with ``read`` (ReadOptions)."""
    if _is_frame(source):
        kwargs = read.reader_kwargs(**overrides)
        kwargs.pop("fmt")
        kwargs.pop("sep")
        return posts_from_frame(source, **kwargs)
    return read_posts(source, **read.reader_kwargs(**overrides))


def existing_files(source) -> list:
    """The files of ``source`` in reading order (:func:`glipca.ingest.input_files`).

    Raises
    ------
    InputError
        For a file that does not exist.
    """
    files = input_files(source)
    for f in files:
        if not os.path.exists(f):
            raise InputError(f, 0, None, "file not found", "file")
    return files


def resolve_options(source, options, cache=None, content=None):
    """Settle ``options`` for ``source``: language, time zone, tokeniser.

    With ``lang="auto"`` the language is guessed from the first posts (it
    decides the zone in which naive timestamps are read, so it is settled
    on a separate look), and remembered by ``cache`` under the input's
    ``content`` (:func:`~glipca.counting.cache.content_ids`), so that a warm
    run does not read the input.  ``source`` is what
    :func:`glipca.ingest.read_posts` reads, or a data frame.

    Returns
    -------
    options : CountOptions
        With ``lang`` and ``tz`` set.
    tokenizer : callable
        Checked on an empty text, so that bad MeCab options fail here, once.
    params : dict
        :meth:`CountOptions.params`, the cache-key material.
    """
    lang = None
    # A named language is checked against the posts, where they can be read
    # here (not fsspec URLs counted on Dask): it decides the day boundaries.
    given = (options.lang if options.lang != "auto" and options.read.tz is None
             and _readable_here(source) else None)
    if options.lang == "auto" or given is not None:
        ident = [content, options.read.fmt, options.read.fields]
        if cache is not None and content is not None:
            lang = cache.recall("lang", ident)
        if lang not in ("en", "ja", "zh"):
            sample = source_posts(source, options.read, tz="UTC", on_error="skip", drop_retweets=False,
                                  drop_duplicates=False, report=IngestReport())
            lang = detect_language(p.text for p in itertools.islice(sample, LANGUAGE_SAMPLE))
            if cache is not None and content is not None:
                cache.remember("lang", ident, lang)
    if given is not None:
        options = _zone_of_the_posts(options, given, lang)
        lang = None
    options = options.resolved(lang)
    tokenizer = options.make_tokenizer()
    tokenizer("")
    return options, tokenizer, options.params(tokenizer)


def _is_frame(source):
    """Whether ``source`` is a pandas DataFrame.  Without pandas imported none
    exists, and counting files does not import it before its pool starts
    (see ``counts._AFTER_COUNTING``)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(source, pandas.DataFrame)


def _readable_here(source):
    """Whether ``source`` is a data frame or files of this machine."""
    return _is_frame(source) or all(os.path.isfile(f) for f in input_files(source))


def _zone_of_the_posts(options, given, detected):
    """``options`` with the zone of the posts' language when ``given`` (a
    language the user named) is not the one they look written in: day
    boundaries do not move to Tokyo for English posts counted as Japanese.
    Warned about."""
    if default_tz(given) == default_tz(detected):
        return options
    import dataclasses
    import warnings

    tz = default_tz(detected)
    warnings.warn(
        f"lang {given!r} was given, but the first posts look written in {detected!r}: day "
        f"boundaries stay in {tz}, the zone of {detected!r} posts (give a time zone, "
        f"`tz={default_tz(given)!r}`, to use that of {given!r})", UserWarning, stacklevel=3)
    return dataclasses.replace(options, read=dataclasses.replace(options.read, tz=tz))


def prepare_counts(source, options=None, *, jobs=DEFAULT_JOBS, cache=None, progress=False,
                   keep_posts=True, min_count=1, **option_kwargs) -> PreparedCounts:
    """Count, per period, the posts that contain each word.

    Parameters
    ----------
    source : path, list of paths, or DataFrame
        Post files (see :func:`glipca.ingest.read_posts`) or a table.
    options : CountOptions, optional
        How posts are read and counted.
    jobs : int or None, default all cores
        Tokenising processes; None for all cores.
    cache : bool, path or CountCache, optional
        Where counts of files are cached: True for the default folder
        (:func:`glipca.counting.cache.default_cache_dir`); None or False for
        no cache.  The key is made from the files' content and the options,
        not from where the files are.
    progress : bool, default False
        Progress bar on stderr (when it is a terminal).
    keep_posts : bool, default True
        Keep each post's words, id, time and text (``posts``), so that
        later stages never read the input again.
    min_count : int, default 1
        The analysis will drop the words in fewer posts than this: when the
        input floods the vocabulary with words that never repeat, they may
        be left out while counting (:mod:`glipca.counting.flood`); such
        counts are not cached.
    **option_kwargs
        Options by name (``lang``, ``tz``, ``freq``, ``text_field``...),
        see :func:`glipca.counting.options.count_options`.

    Returns
    -------
    PreparedCounts
    """
    options = count_options(options, **option_kwargs)
    asked = {"window": (options.since, options.until, options.last),
             "choose_freq": options.freq == "auto"}
    frame = _is_frame(source)
    files = None if frame else existing_files(source)
    store = _cache(cache) if files is not None else None
    content = content_ids(files, store) if files is not None else None
    options, tokenizer, params = resolve_options(source, options, store, content)
    key = cache_key(content, params) if files is not None else None
    if store is not None:
        hit = store.get(key, posts=keep_posts)
        if hit is not None:
            counts, cached_report, _, posts = hit
            cached_report.files = list(files)
            return PreparedCounts(counts, cached_report, options, params, key, True, posts,
                                  content, **asked)
    jobs = available_cores() if jobs is None else jobs
    count = dict(freq=options.freq, tz=options.tz, progress=progress, jobs=jobs,
                 drop_duplicates=options.read.drop_duplicates and not frame, keep_posts=keep_posts)
    report = IngestReport()
    try:
        counts, kept = count_post_words(
            _posts(source, files, options.read, report), tokenizer, report=report, **count,
            max_vocabulary=FLOOD_WORDS if min_count > 1 else None)
    except VocabularyFlood:
        keep, n_hashes = frequent_words(_posts(source, files, options.read, IngestReport()),
                                        tokenizer, min_count, freq=options.freq, tz=options.tz,
                                        jobs=jobs)
        report = IngestReport()
        counts, kept = count_post_words(_posts(source, files, options.read, report), tokenizer,
                                        report=report, keep_words=keep, **count)
        if counts.n_words == 0:
            raise ValueError(f"no word is in {min_count} posts or more: the posts hold about "
                             f"{n_hashes} distinct words, none repeated {min_count} times (a "
                             "flood of words that never repeat?); lower `min_count`, or give "
                             "more posts")
        report.notes.append(f"{n_hashes} distinct words: the words in fewer than {min_count} "
                            "posts were left out while counting (these counts are not cached)")
        return PreparedCounts(counts, report, options, params, key, False, kept, content,
                              **asked)
    if store is not None:
        store.put(key, counts, report, params, kept)
    return PreparedCounts(counts, report, options, params, key, False, kept, content, **asked)


def _posts(source, files, read, report):
    """The posts to count: from files, batches of lines, which are parsed
    where they are tokenised (in parallel), duplicates found while counting."""
    if files is None:
        return source_posts(source, read, report=report)
    kwargs = read.reader_kwargs(report=report)
    del kwargs["drop_duplicates"]
    return read_batches(files, **kwargs)


def _cache(cache):
    if cache is None or cache is False:
        return None
    if isinstance(cache, CountCache):
        return cache
    return CountCache(None if cache is True else cache)
