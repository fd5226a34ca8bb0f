"""Options that shape the word counts, declared once.

:class:`ReadOptions` says how posts are read (format, field names, time
zone, what to do with bad records, which posts to leave out) and
:class:`CountOptions` how they become word counts (language, period,
tokeniser options).  Both are frozen dataclasses, validated once when made,
so that a bad value fails before any work with a message naming the
option.  They pickle as plain values, so the same object reaches worker
processes and Dask tasks, and they produce the two records derived from
them: the cache-key material (:meth:`CountOptions.params`) and the
``params`` of ``clusters.json``.

The notebook and CLI spellings (``lang=``, ``tz=``, ``text_field=``,
``tokenizer_options=``...) build them through :func:`count_options`.

This module imports only the standard library at load time: worker
processes import it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "ReadOptions", "CountOptions", "count_options", "split_count_options", "parse_tz",
    "default_tz", "tokenizer_options", "DEFAULT_JOBS",
]

#: Processes that tokenise, for the CLI and the Python API alike: None
#: means all cores (the counts are the same for any number).
DEFAULT_JOBS = None

_UTC_NAMES = ("UTC", "Z")


def parse_tz(tz):
    """The tzinfo of a zone: ``"UTC"`` (any case) or ``"Z"``, a zoneinfo key, or a tzinfo.

    Raises
    ------
    ValueError
        For an unknown zone name.
    """
    if isinstance(tz, dt.tzinfo):
        return tz
    if str(tz).upper() in _UTC_NAMES:
        return dt.timezone.utc
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def _tz_name(tz):
    """A valid zone's canonical name (UTC spellings become ``"UTC"``)."""
    zone = parse_tz(tz)
    if zone is dt.timezone.utc:
        return "UTC"
    key = getattr(zone, "key", None)
    if key is None:
        raise ValueError(f"tz must be a zone name such as 'UTC' or 'Asia/Tokyo', got {tz!r}")
    return key if isinstance(tz, dt.tzinfo) else str(tz)


#: Zone of day boundaries per language: the audience's.  China has one
#: zone (UTC+8, as Taiwan and Hong Kong), so Shanghai time serves Chinese.
DEFAULT_TZ = {"ja": "Asia/Tokyo", "zh": "Asia/Shanghai"}


def default_tz(lang):
    """Day boundaries follow the audience: :data:`DEFAULT_TZ`, else UTC."""
    return DEFAULT_TZ.get(str(lang).lower().replace("_", "-").split("-")[0], "UTC")


def _frozen(value):
    """A hashable, order-keeping copy of a tokeniser option value."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


@dataclass(frozen=True)
class ReadOptions:
    """How posts are read.

    Parameters
    ----------
    fmt : {"jsonl", "json", "csv", "tsv"}, optional
        Input format; default from the file name or content.
    text_field, time_field, id_field : str, optional
        Field (or column) names; guessed when omitted.
    tz : str, optional
        Zone of naive timestamps and of period boundaries; None until the
        language is known (:meth:`CountOptions.resolved`).
    on_error : {"raise", "skip"}, default "raise"
        Stop at the first bad record, or skip and count bad records.
    drop_retweets, drop_duplicates : bool, default False
        Leave out retweets, and posts with the time and text of an earlier one.
    sep : str, optional
        Column separator of CSV/TSV files; default: told from each file.
    dayfirst : bool, optional
        Dates such as 01/03/2024 are day-first (True) or month-first
        (False); default: decided from each file's dates.
    time_format : str, optional
        strftime format of the time strings, e.g. ``"%d.%m.%Y %H:%M"``.
    """

    fmt: Optional[str] = None
    text_field: Optional[str] = None
    time_field: Optional[str] = None
    id_field: Optional[str] = None
    tz: Optional[str] = None
    on_error: str = "raise"
    drop_retweets: bool = False
    drop_duplicates: bool = False
    sep: Optional[str] = None
    dayfirst: Optional[bool] = None
    time_format: Optional[str] = None

    def __post_init__(self):
        from .ingest.reader import check_options

        check_options(self.fmt, self.on_error, "UTC")
        for name in ("text_field", "time_field", "id_field"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, str) and value):
                raise ValueError(f"{name} must be a non-empty string or None, got {value!r}")
        if self.tz is not None:
            object.__setattr__(self, "tz", _tz_name(self.tz))
        object.__setattr__(self, "drop_retweets", bool(self.drop_retweets))
        object.__setattr__(self, "drop_duplicates", bool(self.drop_duplicates))
        if self.sep is not None:
            sep = {"tab": "\t", "\\t": "\t"}.get(self.sep, self.sep)
            if not (isinstance(sep, str) and len(sep) == 1 and sep not in "\"\r\n"):
                raise ValueError(f"sep must be one character such as ',', ';', '|' or 'tab', "
                                 f"got {self.sep!r}")
            object.__setattr__(self, "sep", sep)
        if self.dayfirst is not None:
            object.__setattr__(self, "dayfirst", bool(self.dayfirst))
        if self.time_format is not None and "%" not in str(self.time_format):
            raise ValueError("time_format must be a strftime format such as '%d.%m.%Y %H:%M', "
                             f"got {self.time_format!r}")

    @property
    def fields(self) -> dict:
        """``{"text_field", "time_field", "id_field"}`` as given."""
        return {"text_field": self.text_field, "time_field": self.time_field, "id_field": self.id_field}

    def reader_kwargs(self, **overrides) -> dict:
        """Keyword arguments of :func:`glipca.ingest.read_posts` (``tz`` default UTC)."""
        kwargs = dict(self.fields, fmt=self.fmt, tz=self.tz or "UTC", on_error=self.on_error,
                      drop_retweets=self.drop_retweets, drop_duplicates=self.drop_duplicates,
                      sep=self.sep, dayfirst=self.dayfirst, time_format=self.time_format)
        kwargs.update(overrides)
        return kwargs


@dataclass(frozen=True)
class CountOptions:
    """How posts become word counts per period.

    Parameters
    ----------
    read : ReadOptions
    lang : {"auto", "en", "ja", "zh"} or ISO code, default "auto"
        Tokeniser language; "auto" is settled on the first posts
        (:meth:`resolved`).
    freq : str, default "auto"
        Period length, see :class:`glipca.counting.periods.Periods`, or
        "auto": posts are counted by day and the analysis takes the finest
        of days, weeks and months that leaves enough periods observed
        (:func:`glipca.model.periods.choose_freq`).
    tokenizer : tuple of (name, value), default ()
        Options of :func:`glipca.tokens.make_tokenizer`, frozen; see
        :attr:`tokenizer_options`.
    since, until : str, optional
        First and last day (or time) of the analysis window, ISO 8601;
        default: the span that holds the bulk of the posts
        (:mod:`glipca.counting.window`). Posts outside are dropped and
        counted; the counts (and their cache) do not depend on these.
    last : str, optional
        Instead of ``since``: the length of the window, ending at ``until``
        or at the end of the posts, e.g. ``"60D"``, ``"8W"``, ``"36h"``.
    """

    read: ReadOptions = field(default_factory=ReadOptions)
    lang: str = "auto"
    freq: str = "auto"
    tokenizer: tuple = ()
    since: Optional[str] = None
    until: Optional[str] = None
    last: Optional[str] = None

    def __post_init__(self):
        from .counting.periods import Periods

        if not isinstance(self.read, ReadOptions):
            raise ValueError(f"read must be a ReadOptions, got {type(self.read).__name__}")
        if not (isinstance(self.lang, str) and self.lang.strip()):
            raise ValueError(f"lang must be 'auto' or a language code such as 'en', got {self.lang!r}")
        object.__setattr__(self, "freq", str(self.freq))
        if self.freq != "auto":
            Periods(self.freq, dt.timezone.utc)  # "unsupported freq ..."
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                dt.datetime.fromisoformat(str(value))
            except ValueError:
                raise ValueError(f"{name} must be a date or time such as 2016-10-01 or "
                                 f"2016-10-01T18:00, got {value!r}") from None
            object.__setattr__(self, name, str(value))
        if self.since and self.until and (dt.datetime.fromisoformat(self.since).replace(tzinfo=None)
                                          > dt.datetime.fromisoformat(self.until).replace(tzinfo=None)):
            raise ValueError(f"since {self.since} is later than until {self.until}: the window "
                             "would hold nothing (swap them?)")
        if self.last is not None:
            if self.since is not None:
                raise ValueError("give since or last, not both")
            from .counting.window import parse_span

            parse_span(self.last)  # "last: expected a number of days, ..."
            object.__setattr__(self, "last", str(self.last).strip())
        pairs = self.tokenizer.items() if isinstance(self.tokenizer, dict) else self.tokenizer
        object.__setattr__(self, "tokenizer", tuple(sorted((str(k), _frozen(v)) for k, v in pairs)))
        if self.lang != "auto":
            self.make_tokenizer()

    @property
    def tz(self):
        return self.read.tz

    @property
    def tokenizer_options(self) -> dict:
        """Keyword arguments of :func:`glipca.tokens.make_tokenizer` (lists as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.tokenizer}

    def make_tokenizer(self):
        """The tokeniser these options describe (``lang`` must be settled)."""
        from .tokens import make_tokenizer

        if self.lang == "auto":
            raise ValueError("lang is 'auto': settle it first (CountOptions.resolved)")
        try:
            return make_tokenizer(self.lang, **self.tokenizer_options)
        except TypeError as exc:  # an unknown keyword
            raise ValueError(f"tokenizer_options: {exc}") from None

    def resolved(self, lang=None) -> "CountOptions":
        """These options with ``lang`` settled, ``tz`` defaulted from it, and
        ``freq="auto"`` counted by day (the period is chosen afterwards)."""
        lang = self.lang if lang is None else lang
        read = self.read
        if read.tz is None:
            read = dataclasses.replace(read, tz=default_tz(lang))
        freq = "D" if self.freq == "auto" else self.freq
        return dataclasses.replace(self, lang=lang, read=read, freq=freq)

    def params(self, tokenizer=None) -> dict:
        """Every option that shapes the counts, JSON-ready: the cache-key material.

        Parameters
        ----------
        tokenizer : callable, optional
            The tokeniser made from these options (made here when omitted).
        """
        if self.lang == "auto" or self.tz is None:
            raise ValueError("settle lang and tz first (CountOptions.resolved)")
        tokenizer = tokenizer if tokenizer is not None else self.make_tokenizer()
        r = self.read
        params = {
            "lang": self.lang,
            "tz": r.tz,
            "freq": self.freq,
            "tokenizer": tokenizer.params(),
            "fields": r.fields,
            "format": r.fmt,
            "on_error": r.on_error,
            "drop_retweets": r.drop_retweets,
            "drop_duplicates": r.drop_duplicates,
        }
        # Only when given: the keys of counts made without them stay valid.
        params.update({k: getattr(r, k) for k in ("sep", "dayfirst", "time_format")
                       if getattr(r, k) is not None})
        return params


_READ_NAMES = frozenset(f.name for f in dataclasses.fields(ReadOptions))
_COUNT_NAMES = frozenset({"lang", "freq", "tokenizer_options", "since", "until", "last"})
#: Every keyword :func:`count_options` takes.
OPTION_NAMES = _READ_NAMES | _COUNT_NAMES


def count_options(options=None, **kwargs) -> CountOptions:
    """:class:`CountOptions` from keywords: ``lang``, ``freq``, ``tokenizer_options``
    and the fields of :class:`ReadOptions`.

    Parameters
    ----------
    options : CountOptions, optional
        Start from these; keywords replace their values.
    **kwargs
        Option values; None means "not given".

    Raises
    ------
    TypeError
        For an unknown keyword.
    ValueError
        For a bad value, naming the option.
    """
    unknown = sorted(set(kwargs) - OPTION_NAMES)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(unknown)}")
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    options = options if options is not None else CountOptions()
    read = {k: v for k, v in kwargs.items() if k in _READ_NAMES}
    count = {k: v for k, v in kwargs.items() if k in ("lang", "freq", "since", "until", "last")}
    if kwargs.get("tokenizer_options") is not None:
        count["tokenizer"] = kwargs["tokenizer_options"]
    if read:
        count["read"] = dataclasses.replace(options.read, **read)
    return dataclasses.replace(options, **count) if count else options


def split_count_options(kwargs):
    """``(counting keywords, the rest)`` of a keyword dict."""
    mine = {k: v for k, v in kwargs.items() if k in OPTION_NAMES}
    return mine, {k: v for k, v in kwargs.items() if k not in OPTION_NAMES}


def tokenizer_options(base=None, *, stop_words=None, user_words=None, mecab_args=None, compounds=None) -> dict:
    """Tokeniser options from the user's spellings.

    Parameters
    ----------
    base : dict, optional
        Options to start from.
    stop_words, user_words : list of str or path, optional
        Extra stop words and words kept whole: a list, or a text file of
        one word per line (:func:`glipca.tokens.read_word_list`).
    mecab_args : str, optional
        Extra MeCab options (Japanese).
    compounds : bool, optional
        Whether Japanese runs of nouns are joined into compound words
        (the tokeniser's default, True, when not given).
    """
    from pathlib import Path

    from .tokens import read_word_list

    out = dict(base or {})
    for name, words in (("extra_stop_words", stop_words), ("user_words", user_words)):
        if words is not None:
            is_file = isinstance(words, (str, Path))
            out[name] = read_word_list(words) if is_file else list(words)
    if mecab_args:
        out["mecab_args"] = mecab_args
    if compounds is not None:
        out["compounds"] = bool(compounds)
    return out
