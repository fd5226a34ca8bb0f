"""Tokenisers: text -> list of words.

This module knows nothing of files or clustering.  A tokeniser is a callable
object with a ``lang`` attribute and a ``params()`` method whose JSON-ready
result describes it fully (it serves as a cache key).

* :class:`EnglishTokenizer` handles English and other languages written with
  spaces between words.
* :class:`JapaneseTokenizer` keeps content nouns found by MeCab with the
  UniDic dictionary of ``unidic-lite``.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.util
import itertools
import os
import re
import unicodedata
from importlib import resources

__all__ = [
    "EnglishTokenizer",
    "JapaneseTokenizer",
    "make_tokenizer",
    "detect_language",
    "english_stop_words",
    "read_word_list",
    "MeCabError",
    "JAPANESE_STOP_WORDS",
]

# Bump when a change to the rules below changes tokens, so caches keyed on
# ``params()`` are invalidated.
_VERSION = 1

# URLs (with a scheme, "www." or a short-link style "t.co/..."), e-mail
# addresses and @mentions are removed before tokenising: they are not words
# of the text and would otherwise leave fragments such as "https" or "co".
# Three patterns, each run only when its marker character is present: one
# combined pattern costs several times more per post.
_URL = re.compile(r"(?i)(?:https?://|www\.)\S+")
_BARE_URL = re.compile(
    r"(?i)\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|co|ly|gl|me|be|jp|uk|us|tv|news|info)/\S*"
)
_AT = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w@])[@＠]\w+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"})
_LETTER = re.compile(r"[^\W\d_]")


def _combining_marks():
    # Python's \w misses combining marks, which would split words of
    # Devanagari, Bengali, Arabic with vowel signs, etc.  List those of the
    # Basic Multilingual Plane once, as a character class.
    ranges, start, prev = [], None, None
    for cp in range(0x300, 0x10000):
        ch = chr(cp)
        if unicodedata.category(ch)[0] == "M" and not ch.isalnum():
            if start is None:
                start = cp
            elif cp != prev + 1:
                ranges.append((start, prev))
                start = cp
            prev = cp
    if start is not None:
        ranges.append((start, prev))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_MARKS = _combining_marks()
_WORD_CHAR = rf"(?:[^\W_]|[{_MARKS}])"
_TOKEN_WITH_HYPHENS = re.compile(rf"[^\W_]{_WORD_CHAR}*(?:['-]{_WORD_CHAR}+)*")
_TOKEN_NO_HYPHENS = re.compile(rf"[^\W_]{_WORD_CHAR}*(?:'{_WORD_CHAR}+)*")

# Languages without spaces between words, which a regex tokeniser cannot split.
_UNSPACED = frozenset({"zh", "th", "lo", "km", "my", "bo", "dz"})


def _strip(text):
    """Remove URLs, e-mail addresses and @mentions."""
    if "/" in text or "www." in text:
        text = _URL.sub(" ", text)
        if "/" in text:
            text = _BARE_URL.sub(" ", text)
    if "@" in text or "＠" in text:
        text = _AT.sub(" ", text)
    return text


def _clean(text):
    if "&" in text:
        text = html.unescape(text)  # posts often carry "&amp;", "&gt;"
    return _strip(text)


def _digest(words):
    return hashlib.sha1("\n".join(sorted(words)).encode("utf-8")).hexdigest()[:16]


def read_word_list(path) -> list:
    """Words of a plain text file: UTF-8, one word per line.

    Blank lines and lines starting with ``#`` are ignored; surrounding
    blanks are stripped.

    Raises
    ------
    ValueError
        If the file cannot be read or is not UTF-8 (one-line message).
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read word list: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: word list is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


class _UserWords:
    """Words that are kept whole: found first, then cut out of the text.

    This is how a plain word list acts as a user dictionary for any
    tokeniser: MeCab never sees the words (so cannot split them), and
    multi-word phrases survive a tokeniser that splits on spaces.
    """

    def __init__(self, words, normalise, boundaries):
        self.normalise = normalise
        self.words = frozenset(normalise(w) for w in words if str(w).strip())
        self.regex = None
        if self.words:
            # Longest first, so that the longest user word wins.
            alternatives = "|".join(re.escape(w) for w in sorted(self.words, key=lambda w: (-len(w), w)))
            if boundaries:
                alternatives = rf"(?<!\w)(?:{alternatives})(?!\w)"
            self.regex = re.compile(alternatives, re.IGNORECASE)

    def cut(self, text):
        """Return the text with the user words blanked out, and the words."""
        if self.regex is None:
            return text, ()
        found = self.regex.findall(text)
        if not found:
            return text, ()
        return self.regex.sub(" ", text), [self.normalise(w) for w in found]

    def params(self):
        return {"n": len(self.words), "sha1": _digest(self.words)}


@functools.lru_cache(maxsize=1)
def english_stop_words() -> frozenset:
    """The English stop list shipped with glipca (``stopwords_en.txt``)."""
    text = resources.files("glipca.tokens").joinpath("stopwords_en.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


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
        if isinstance(extra_stop_words, str):
            extra_stop_words = [extra_stop_words]
        self.stop_words = frozenset(
            w.casefold() for w in itertools.chain(stop_words, extra_stop_words)
        )
        self._token = _TOKEN_NO_HYPHENS if self.split_hyphens else _TOKEN_WITH_HYPHENS
        self.user_words = _UserWords(user_words, str.casefold, boundaries=True)

    def __call__(self, text) -> list:
        text = _clean(text).casefold().translate(_APOSTROPHES)
        text, user = self.user_words.cut(text)
        stop, min_length, out = self.stop_words, self.min_length, list(user)
        for tok in self._token.findall(text):
            if tok.endswith("'s"):
                tok = tok[:-2]
            if len(tok) < min_length or tok in stop:
                continue
            if not tok.isalpha() and _LETTER.search(tok) is None:
                continue  # a number
            out.append(tok)
        return out

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
# topic.  Single kana are dropped by rule and need not be listed.
JAPANESE_STOP_WORDS = frozenset(
    """
    こと もの ため とき ところ ほう わけ はず うち よう まま ほか あと など
    みんな ない なし あり 感じ 系 的 ww www w 笑
    """.split()
)

class MeCabError(ValueError, RuntimeError):
    """MeCab could not start with the options given (a bad option value)."""


_INSTALL_HINT = "JapaneseTokenizer needs MeCab and a dictionary: pip install mecab-python3 unidic-lite"
# Kanji (CJK unified ideographs and extension A, plus 々 and 〆).
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
# Our own compact MeCab output: surface, a tab, the POS joined by '-'.
# Backslashes are doubled because MeCab's option parser eats one level.
_FORMAT = (
    "--output-format-type= "
    r"--node-format=%m\\t%F-[0,1,2,3]\\n "
    r"--unk-format=%m\\t%F-[0,1,2,3]\\n "
    "--bos-format= --eos-format="
)


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

    Notes
    -----
    Texts longer than 8192 characters are parsed in pieces cut at sentence
    ends or line breaks: MeCab gives up on inputs of a few MB.

    Examples
    --------
    >>> JapaneseTokenizer()("東京で地震が発生しました")
    ['東京', '地震', '発生']
    """

    lang = "ja"

    def __init__(self, mecab_args="", keep_pos=None, stop_words=None, extra_stop_words=(),
                 min_length=1, user_words=()):
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
        if isinstance(extra_stop_words, str):
            extra_stop_words = [extra_stop_words]
        self.stop_words = frozenset(_normalise_word(w) for w in stop_words) | frozenset(
            _normalise_word(w) for w in extra_stop_words
        )
        self.min_length = int(min_length)
        self.user_words = _UserWords(user_words, _normalise_word, boundaries=False)
        # One regex over the whole MeCab output picks the kept words: far
        # cheaper than splitting every line in Python.
        alternatives = "|".join(re.escape(p) for p in self.keep_pos) or r"(?!)"
        self._pick = re.compile(rf"^([^\t\n]+)\t(?:{alternatives})(?:-[^\n]*)?$", re.M)
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
        args = f"-r {os.devnull} {args} {_FORMAT}"
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
        text, user = self.user_words.cut(text)
        parse = self.tagger.parse
        if len(text) <= _PIECE:
            parsed = parse(text)
        else:
            parsed = "".join(parse(piece) or "" for piece in _pieces(text))
        if parsed is None:
            raise RuntimeError(f"MeCab could not parse a text of {len(text)} characters")
        # Words recur (Zipf): the verdict on each surface form is worked out
        # once and remembered, which saves most of the per-word cost.
        verdicts, out = self._verdicts, list(user)
        for surface in self._pick.findall(parsed):
            word = verdicts.get(surface, _UNSEEN)
            if word is _UNSEEN:
                if len(verdicts) >= _MAX_VERDICTS:
                    verdicts.clear()
                word = verdicts[surface] = self._verdict(surface)
            if word is not None:
                out.append(word)
        return out

    def _verdict(self, word):
        """The word to count for a kept surface form, or None to drop it."""
        if len(word) == 1 and _KANJI.match(word) is None:
            return None  # single kana, Latin letter or symbol
        if word.isascii():
            word = word.lower()
        if len(word) < self.min_length or word in self.stop_words:
            return None
        if _LETTER.search(word) is None:
            return None  # numbers and symbols tagged as nouns
        return word

    def params(self) -> dict:
        """JSON-ready description of the options (a cache key)."""
        return {
            "tokenizer": type(self).__name__,
            "version": _VERSION,
            "lang": self.lang,
            "mecab_args": self.mecab_args,
            "dictionary": _dictionary_version(self.mecab_args),
            "keep_pos": list(self.keep_pos),
            "min_length": self.min_length,
            "stop_words": {"n": len(self.stop_words), "sha1": _digest(self.stop_words)},
            "user_words": self.user_words.params(),
        }

    def __repr__(self):
        return f"JapaneseTokenizer(mecab_args={self.mecab_args!r}, keep_pos={list(self.keep_pos)!r})"


_PIECE = 8192  # characters MeCab is given at once
_UNSEEN = object()
_MAX_VERDICTS = 1 << 18  # remembered surface forms; a bound on memory
_BREAK = re.compile(r"[。．！？!?\n]|\s")


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


def _normalise_word(word):
    word = unicodedata.normalize("NFKC", str(word))
    return word.lower() if word.isascii() else word


def _has_dicdir(args):
    return bool(re.search(r"(?:^|\s)(?:-d|--dicdir)(?:\s|=|$)", str(args)))


def _dictionary_version(mecab_args):
    if _has_dicdir(mecab_args):
        return "custom"
    try:
        from importlib.metadata import version

        return f"unidic-lite {version('unidic-lite')}"
    except Exception:  # metadata missing: still a usable key
        return "unidic-lite"


def make_tokenizer(lang, **kwargs):
    """Make the tokeniser for a language.

    Parameters
    ----------
    lang : str
        ``"ja"`` gives a :class:`JapaneseTokenizer`; ``"en"`` and other ISO
        codes of space-separated languages an :class:`EnglishTokenizer`
        (with English stop words only for ``"en"``).  Region suffixes
        (``"en-US"``) are ignored.
    **kwargs
        Passed to the tokeniser.  An empty ``mecab_args`` is accepted for
        any language.

    Raises
    ------
    ValueError
        For languages written without spaces other than Japanese (Chinese,
        Thai, ...), which would need a segmenter of their own.
    """
    code = re.split(r"[-_]", str(lang).strip().lower(), maxsplit=1)[0]
    if code == "ja":
        return JapaneseTokenizer(**kwargs)
    if kwargs.pop("mecab_args", None):
        raise ValueError(f"MeCab options apply to Japanese (lang 'ja') only, not to {lang!r}")
    if code in _UNSPACED:
        raise ValueError(
            f"no tokenizer for language {lang!r}: it is written without spaces "
            "between words; lang='ja' (MeCab) is a rough fallback for Chinese"
        )
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise ValueError(f"lang must be an ISO 639 code such as 'en' or 'ja', got {lang!r}")
    return EnglishTokenizer(lang=code, **kwargs)


def detect_language(texts, sample=1000) -> str:
    """Tell Japanese from space-separated text.

    Parameters
    ----------
    texts : iterable of str
        Only the first ``sample`` texts are looked at (an iterator is
        consumed that far).
    sample : int, default 1000

    Returns
    -------
    {"ja", "en"}
        ``"ja"`` when most letters (outside URLs and mentions) are kana or
        kanji.  Chinese therefore gives ``"ja"``: MeCab is the only
        segmenter for unspaced text here.
    """
    cjk = letters = 0
    for text in itertools.islice(texts, sample):
        if not isinstance(text, str):
            continue
        text = _strip(text[:500])
        letters += len(_LETTER.findall(text))
        cjk += len(_KANA.findall(text)) + len(_KANJI.findall(text))
    return "ja" if letters and 2 * cjk > letters else "en"
