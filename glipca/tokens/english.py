"""Word tokens of English and other languages written with spaces."""

from __future__ import annotations

import functools
import re

from .normalise import (
    _APOSTROPHES, _LETTER, _VERSION, _WORD_CHAR, _UserWords, _clean, _digest, _stop_set, package_words,
)

__all__ = ["EnglishTokenizer", "english_stop_words"]

_TOKEN_WITH_HYPHENS = re.compile(rf"[^\W_]{_WORD_CHAR}*(?:['-]{_WORD_CHAR}+)*")
_TOKEN_NO_HYPHENS = re.compile(rf"[^\W_]{_WORD_CHAR}*(?:'{_WORD_CHAR}+)*")
# The same tokens in ASCII text, where no combining mark can occur: twice
# as fast as the alternation with the class of marks above.
_ASCII_WITH_HYPHENS = re.compile(r"[^\W_]+(?:['-][^\W_]+)*", re.ASCII)
_ASCII_NO_HYPHENS = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.ASCII)
_MAPPED = tuple(map(chr, _APOSTROPHES))
#: Tokens from which a text is taken to repeat its words.
_REPEATS_FROM = 64


@functools.lru_cache(maxsize=1)
def english_stop_words() -> frozenset:
    """The English stop list shipped with glipca (``stopwords_en.txt``)."""
    return package_words("stopwords_en.txt")


class EnglishTokenizer:
    """Word tokens for English and other space-separated languages.

    Text is HTML-unescaped and case-folded; URLs, e-mail addresses and
    @mentions are removed.  A token is a run of letters and digits (any
    script) with internal apostrophes and hyphens (``don't``,
    ``covid-19``); a final ``'s`` is dropped.  Tokens without a letter
    (numbers) are dropped, but mixed ones such as ``covid19`` or ``g20``
    are kept.  Hashtags are kept as the word without ``#``
    (``#BlackLivesMatter`` -> ``blacklivesmatter``).

    Parameters
    ----------
    stop_words : iterable of str, optional
        Words to drop.  By default the shipped English list when
        ``lang == "en"`` and none otherwise.
    min_length : int, default 2
        Shorter tokens are dropped.
    extra_stop_words : iterable of str, default ()
        Added to ``stop_words``, e.g. the query words used to collect the
        posts (they are in every post, so they cannot trend).
    lang : str, default "en"
        ISO code recorded in :attr:`lang` and :meth:`params`.
    split_hyphens : bool, default False
        Split hyphenated compounds into their parts.
    user_words : iterable of str, default ()
        Words or phrases always kept as one token (case-insensitive), even
        if they hold spaces or stop words (``"new york"``).

    Examples
    --------
    >>> tok = EnglishTokenizer()
    >>> tok("RT @bob: Stay home! #COVID19 spreads https://t.co/x")
    ['stay', 'home', 'covid19', 'spreads']
    """

    def __init__(self, stop_words=None, min_length=2, extra_stop_words=(), *, lang="en",
                 split_hyphens=False, user_words=()):
        self.lang = str(lang)
        self.min_length = int(min_length)
        self.split_hyphens = bool(split_hyphens)
        if stop_words is None:
            stop_words = english_stop_words() if self.lang == "en" else ()
        self.stop_words = _stop_set(stop_words, extra_stop_words, str.casefold)
        self._token = _TOKEN_NO_HYPHENS if self.split_hyphens else _TOKEN_WITH_HYPHENS
        self._ascii_token = _ASCII_NO_HYPHENS if self.split_hyphens else _ASCII_WITH_HYPHENS
        self.user_words = _UserWords(user_words, str.casefold, boundaries=True)

    def __call__(self, text) -> list:
        text = _clean(text).casefold()
        # translate() looks up every character; the ones it maps are rare.
        if not text.isascii() and any(c in text for c in _MAPPED):
            text = text.translate(_APOSTROPHES)
        text, user = self.user_words.cut(text)
        tokens = (self._ascii_token if text.isascii() else self._token).findall(text)
        if len(tokens) > _REPEATS_FROM:
            # A long text repeats its words: decide each distinct one once.
            decided = {tok: self._word(tok) for tok in set(tokens)}
            words = map(decided.__getitem__, tokens)
        else:
            words = map(self._word, tokens)
        return list(user) + [w for w in words if w is not None]

    def _word(self, tok):
        """The word of token ``tok``, or None for a stop word, a short token or a number."""
        if tok.endswith("'s"):
            tok = tok[:-2]
        if len(tok) < self.min_length or tok in self.stop_words:
            return None
        if not tok.isalpha() and _LETTER.search(tok) is None:
            return None  # a number
        return tok

    def params(self) -> dict:
        """JSON-ready description of the options (a cache key)."""
        return {
            "tokenizer": type(self).__name__,
            "version": _VERSION,
            "lang": self.lang,
            "min_length": self.min_length,
            "split_hyphens": self.split_hyphens,
            "stop_words": {"n": len(self.stop_words), "sha1": _digest(self.stop_words)},
            "user_words": self.user_words.params(),
        }

    def __repr__(self):
        return f"EnglishTokenizer(lang={self.lang!r}, min_length={self.min_length}, n_stop_words={len(self.stop_words)})"
