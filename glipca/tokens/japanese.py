"""Content nouns of Japanese text, found by MeCab with UniDic.

MeCab (Kudo, Yamamoto and Matsumoto 2004, "Applying conditional random
fields to Japanese morphological analysis", EMNLP) segments and tags the
text; the dictionary is UniDic (short units) of ``unidic-lite``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import unicodedata

from .english import english_stop_words
from .normalise import (
    _KANJI, _VERSION, _UserWords, _content_word, _digest, _distribution, _judge, _normalise_word, _stop_set, _strip,
    package_words,
)

__all__ = ["JapaneseTokenizer", "MeCabError", "JAPANESE_STOP_WORDS", "DEFAULT_KEEP_POS"]

# UniDic part-of-speech prefixes kept by default: common nouns (plain, サ変,
# 形状詞 and サ変形状詞 capable) and proper nouns.  Not kept: 副詞可能 nouns
# (今日, 最近, 今回: time words that are in every day's posts), 助数詞可能
# (年, 月, 円), 数詞, 代名詞 and all other parts of speech.
DEFAULT_KEEP_POS = (
    "名詞-普通名詞-一般",
    "名詞-普通名詞-サ変可能",
    "名詞-普通名詞-形状詞可能",
    "名詞-普通名詞-サ変形状詞可能",
    "名詞-固有名詞",
)

# Formal nouns and fillers that UniDic tags as common nouns but carry no
# topic (``stopwords_ja.txt``).
JAPANESE_STOP_WORDS = package_words("stopwords_ja.txt")


class MeCabError(ValueError, RuntimeError):
    """MeCab could not start with the options given (a bad option value)."""


_INSTALL_HINT = "JapaneseTokenizer needs MeCab and a dictionary: pip install mecab-python3 unidic-lite"
# Our own compact MeCab output: each word on a line of its own that starts
# with its POS (levels joined by '-'), a tab, then its surface.  The POS
# comes first so that the regex picking kept nouns starts with a literal
# (a line break and their common prefix, 名詞-), which the regex engine
# finds without trying a match at every position.  Backslashes are doubled
# because MeCab's option parser eats one level.
_FORMAT = (
    "--output-format-type= "
    r"--node-format=\\n%F-[0,1,2,3]\\t%m "
    r"--unk-format=\\n%F-[0,1,2,3]\\t%m "
    "--bos-format= --eos-format="
)
# The same, each surface preceded by the white space before it (MeCab's
# %pS), so that words separated by a space are never joined.
_FORMAT_COMPOUNDS = _FORMAT.replace("\\t%m", "\\t%pS%m")

# Rules version of this tokeniser's params (a cache key): 2 drops bracketed
# weekday markers and adds compounds.
_JA_VERSION = _VERSION + 1

# Parts that continue a compound after a noun: suffixes that make nouns
# (感染+症, コウ+メ+太夫, デジタル+化).  Counters (助数詞: 5+人, 3+日),
# numerals and prefixes never join.
_NOUN_SUFFIXES = ("接尾辞-名詞的-一般", "接尾辞-名詞的-サ変可能")
# Weekday markers of dates and schedules after NFKC: "(木)", "(土・祝)",
# "{月・火}", "月〜木", "2017/05/20/土".  UniDic reads the kanji as the
# nouns moon, fire, water, tree, gold, soil and sun.
_DAY = "[月火水木金土日]"
_WEEKDAY = re.compile(
    rf"[(\[{{【〔]\s*{_DAY}(?:\s*[・･/〜~\-]\s*(?:{_DAY}|[祝休祭]))*\s*[)\]}}】〕]"
    rf"|(?<![\u3400-\u9fff]){_DAY}[〜~\-]{_DAY}(?![\u3400-\u9fff])"
    rf"|(?<=\d/){_DAY}(?![\u3400-\u9fff])"
)
# Every weekday marker holds one of these: most texts hold none, and this
# search costs a fifth of the whole pattern's.
_WEEKDAY_HINT = re.compile(r"[(\[{【〔〜~\-/]")
_SPACES = re.compile(r"\s+")


class JapaneseTokenizer:
    """Content nouns of Japanese text, found by MeCab with UniDic.

    Text is NFKC-normalised (full-width ASCII and half-width kana become
    ordinary) and URLs, e-mail addresses and @mentions are removed before
    parsing.  Words whose part of speech starts with one of ``keep_pos`` are
    kept, as their surface form (the surface is what readers of a cluster
    expect to see; UniDic's lemma turns loanwords into forms such as
    ``コロナ-corona``).  Dropped as well: words without a letter (numbers,
    symbols), single characters other than kanji, and stop words.  ASCII
    words are lower-cased.

    The MeCab tagger is created on first use and is not pickled, so the
    object can be sent to worker processes; each creates its own tagger.

    Parameters
    ----------
    mecab_args : str, default ""
        Extra MeCab options, e.g. ``"-u user.dic"``.  Passing ``-d`` selects
        another dictionary; ``keep_pos`` must then match its tag set.
        Output-format options are overridden by the tokeniser's own.
    keep_pos : sequence of str, optional
        Part-of-speech prefixes to keep, levels joined by ``-``.  Defaults
        to :data:`DEFAULT_KEEP_POS`.
    stop_words : iterable of str, optional
        Defaults to :data:`JAPANESE_STOP_WORDS` plus the English stop list
        (for the English words mixed into Japanese posts); give ``()`` for
        none.
    extra_stop_words : iterable of str, default ()
        Added to ``stop_words`` (e.g. the collection query words).
    min_length : int, default 1
        Shorter words are dropped (single kanji are kept by default).
    user_words : iterable of str, default ()
        Words always kept whole, e.g. compound names that MeCab would
        split (``新型コロナウイルス``).  A compiled MeCab user dictionary is
        given with ``mecab_args="-u FILE"`` instead.
    compounds : bool, default True
        Join each run of adjacent nouns into one word: UniDic's short units
        cut names (ソフトバンク is ソフト + バンク, コウメ太夫 コウ + メ + 太夫).
        A run starts with a kept noun and goes on with kept nouns and
        noun-making suffixes (感染 + 症); ASCII nouns joined by hyphens are
        one part (Wi-Fi, COVID-19).  Numerals, counters, prefixes, particles,
        symbols and white space end a run.  The stop words and ``min_length``
        apply to the whole compound.

    Notes
    -----
    Weekday markers of dates, one kanji in brackets (``5日(木)``), are
    removed before parsing.  Texts longer than 8192 characters are parsed in pieces cut at sentence
    ends or line breaks: MeCab gives up on inputs of a few MB.

    Examples
    --------
    >>> JapaneseTokenizer()("東京で地震が発生しました")
    ['東京', '地震', '発生']
    >>> JapaneseTokenizer()("ソフトバンクが緊急事態宣言を受けて")
    ['ソフトバンク', '緊急事態宣言']
    >>> JapaneseTokenizer(compounds=False)("ソフトバンクが緊急事態宣言を受けて")
    ['ソフト', 'バンク', '緊急', '事態', '宣言']
    """

    lang = "ja"

    def __init__(self, mecab_args="", keep_pos=None, stop_words=None, extra_stop_words=(),
                 min_length=1, user_words=(), compounds=True):
        for module in ("MeCab", "unidic_lite"):
            if module == "unidic_lite" and _has_dicdir(mecab_args):
                continue
            if importlib.util.find_spec(module) is None:
                raise ImportError(_INSTALL_HINT)
        self.mecab_args = str(mecab_args).strip()
        self.keep_pos = tuple(DEFAULT_KEEP_POS if keep_pos is None else keep_pos)
        if isinstance(keep_pos, str):
            self.keep_pos = (keep_pos,)
        if stop_words is None:
            stop_words = JAPANESE_STOP_WORDS | english_stop_words()
        self.stop_words = _stop_set(stop_words, extra_stop_words, _normalise_word)
        self.min_length = int(min_length)
        self.user_words = _UserWords(user_words, _normalise_word, boundaries=False)
        self.compounds = bool(compounds)
        # One regex over the whole MeCab output picks the kept words (or
        # runs of them): far cheaper than splitting every line in Python.
        self._pick = _picker(self.keep_pos, self.compounds)
        self._tagger = None
        self._verdicts = {}

    # -- MeCab -------------------------------------------------------------

    def _make_tagger(self):
        try:
            import MeCab
        except ImportError:
            raise ImportError(_INSTALL_HINT) from None
        args = self.mecab_args
        if not _has_dicdir(args):
            try:
                import unidic_lite
            except ImportError:
                raise ImportError(_INSTALL_HINT) from None
            args = f"-d {unidic_lite.DICDIR} {args}"
        # -r: read no mecabrc, so no system-wide MeCab configuration is needed.
        args = f"-r {os.devnull} {args} {_FORMAT_COMPOUNDS if self.compounds else _FORMAT}"
        try:
            return MeCab.Tagger(args)
        except RuntimeError as exc:
            # mecab-python3's message is a long help text; its last detail
            # line is the actual cause.
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and not ln.startswith("-")]
            cause = lines[-1] if lines else "unknown error"
            raise MeCabError(
                f"MeCab could not start ({cause}) with options {self.mecab_args!r}; "
                f"if MeCab or its dictionary is missing: {_INSTALL_HINT.split(': ', 1)[1]}"
            ) from None

    @property
    def tagger(self):
        """The MeCab tagger of this process, created on first use."""
        if self._tagger is None:
            self._tagger = self._make_tagger()
        return self._tagger

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_tagger"] = None  # a tagger cannot be pickled; workers make their own
        state["_verdicts"] = {}
        return state

    # -- tokenising ----------------------------------------------------------

    def __call__(self, text) -> list:
        text = _strip(unicodedata.normalize("NFKC", text))
        if _WEEKDAY_HINT.search(text) is not None:
            text = _WEEKDAY.sub(" ", text)
        text, user = self.user_words.cut(text)
        if self.compounds and (" " in text or not text.isprintable()):
            # White space before a word: one line of output.  (Every white
            # space character but the space is unprintable.)
            text = _SPACES.sub(" ", text)
        parse = self.tagger.parse
        if len(text) <= _PIECE:
            parsed = parse(text)
        else:
            # An empty line between pieces: no compound spans a cut.
            parsed = "\n".join(parse(piece) or "" for piece in _pieces(text))
        if parsed is None:
            raise RuntimeError(f"MeCab could not parse a text of {len(text)} characters")
        verdict = self._run_verdict if self.compounds else self._verdict
        return _judge(self._pick.findall(parsed), self._verdicts, verdict, list(user))

    def _run_verdict(self, run):
        """The word to count for a run of MeCab output lines (a compound)."""
        parts = [line.split("\t", 1)[1] for line in run[1:].split("\n")]
        parts[0] = parts[0].lstrip(" ")  # the white space before the compound
        if len(parts) == 1:
            return self._verdict(parts[0])
        # Latin parts lower-cased as Latin words are: ABCニュース -> abcニュース.
        return self._verdict("".join(p.lower() if p.isascii() else p for p in parts))

    def _verdict(self, word):
        """The word to count for a kept surface form, or None to drop it."""
        if len(word) == 1 and _KANJI.match(word) is None:
            return None  # single kana, Latin letter or symbol
        return _content_word(word, self.min_length, self.stop_words)

    def params(self) -> dict:
        """JSON-ready description of the options (a cache key)."""
        return {
            "tokenizer": type(self).__name__,
            "version": _JA_VERSION,
            "lang": self.lang,
            "mecab_args": self.mecab_args,
            "compounds": self.compounds,
            "dictionary": _dictionary_version(self.mecab_args),
            "keep_pos": list(self.keep_pos),
            "min_length": self.min_length,
            "stop_words": {"n": len(self.stop_words), "sha1": _digest(self.stop_words)},
            "user_words": self.user_words.params(),
        }

    def __repr__(self):
        return (f"JapaneseTokenizer(mecab_args={self.mecab_args!r}, keep_pos={list(self.keep_pos)!r}, "
                f"compounds={self.compounds})")


_PIECE = 8192  # characters MeCab is given at once
_BREAK = re.compile(r"[。．！？!?\n]|\s")


def _picker(keep_pos, compounds):
    """Regex over MeCab output finding kept words, or runs of them (compounds)."""
    kept = "(?:" + ("|".join(re.escape(p) for p in keep_pos) or r"(?!)") + r")(?:-[^\t\n]*)?"
    if not compounds:
        return re.compile(rf"\n{kept}\t([^\t\n]+)(?=\n|$)")
    ascii_noun = r"\n名詞[^\t\n]*\t[A-Za-z0-9][^\n]*"  # numerals too: COVID-19
    hyphens = rf"(?:\n[^\t\n]*記号-一般\t-(?=\n|$){ascii_noun})+"
    # The first part may have white space before it; the others may not.
    first = rf"(?:\n{kept}\t *[A-Za-z0-9][^\n]*{hyphens}|\n{kept}\t *[^\n]+)"
    part = rf"(?:\n{kept}\t[A-Za-z0-9][^\n]*{hyphens}|\n{kept}\t(?! )[^\n]+)"
    suffix = rf"\n(?:{'|'.join(map(re.escape, _NOUN_SUFFIXES))})\t(?! )[^\n]+"
    return re.compile(rf"{first}(?:{part}|{suffix})*")


def _pieces(text, size=_PIECE):
    """Cut a long text into pieces of at most ``size`` characters.

    Each cut is at the last sentence end or blank of the piece's second
    half, so that words stay whole; a text without any is cut anyway.
    """
    start, n = 0, len(text)
    while n - start > size:
        end = start + size
        cut = end
        for m in _BREAK.finditer(text, start + size // 2, end):
            cut = m.end()
        yield text[start:cut]
        start = cut
    yield text[start:]


def _has_dicdir(args):
    return bool(re.search(r"(?:^|\s)(?:-d|--dicdir)(?:\s|=|$)", str(args)))


def _dictionary_version(mecab_args):
    return "custom" if _has_dicdir(mecab_args) else _distribution("unidic-lite")
