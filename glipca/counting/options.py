"""How posts become word counts, declared once: :class:`CountOptions`.

:class:`CountOptions` holds the :class:`~glipca.ingest.ReadOptions` and the
counting stage's own options (language, period, tokeniser options, the
analysis window). It is a frozen dataclass validated once when made, so
that a bad value fails before any work with a message naming the option;
it pickles as a plain value, so the same object reaches worker processes
and Dask tasks, and it produces the cache-key material
(:meth:`CountOptions.params`).

The notebook and CLI spellings (``lang=``, ``tz=``, ``text_field=``,
``tokenizer_options=``...) build it through :func:`count_options`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..ingest.options import ReadOptions
from ..tokens import make_tokenizer, read_word_list
from .periods import Periods, parse_span

__all__ = [
    "CountOptions", "count_options", "split_count_options", "default_tz", "tokenizer_options",
    "DEFAULT_JOBS", "DEFAULT_TZ", "OPTION_NAMES",
]

#: Processes that tokenise, for the CLI and the Python API alike: None
#: means all cores (the counts are the same for any number).
DEFAULT_JOBS = None

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
