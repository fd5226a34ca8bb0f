"""Text cleaning shared by every tokeniser, and word lists.

Removes what is not a word of the text (URLs, e-mail addresses,
@mentions), undoes HTML escapes, normalises single words, reads word lists
(user files and the stop lists shipped as package data), cuts user words
out of a text before it is tokenised, and remembers the verdict on each
distinct word a tagger returns.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import unicodedata
from importlib import resources

__all__ = ["read_word_list", "package_words", "display_width"]

# Bump when a change to the rules of any tokeniser changes tokens, so caches
# keyed on ``params()`` are invalidated.
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
# Kanji / hanzi (CJK unified ideographs and extension A, plus 々 and 〆).
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")


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


def _normalise_word(word):
    word = unicodedata.normalize("NFKC", str(word))
    return word.lower() if word.isascii() else word


def _distribution(name):
    """``"name version"`` of an installed package, for cache keys."""
    try:
        from importlib.metadata import version

        return f"{name} {version(name)}"
    except Exception:  # metadata missing: still a usable key
        return name


def _digest(words):
    return hashlib.sha1("\n".join(sorted(words)).encode("utf-8")).hexdigest()[:16]


def _words_of(lines):
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


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
    return _words_of(lines)


def _stop_set(stop_words, extra_stop_words, normalise):
    """``stop_words`` and ``extra_stop_words`` (one string is one word), normalised."""
    if isinstance(extra_stop_words, str):
        extra_stop_words = [extra_stop_words]
    return frozenset(normalise(w) for w in itertools.chain(stop_words, extra_stop_words))


def _content_word(word, min_length, stop_words):
    """``word``, lower-cased if ASCII; None if short, a stop word or without a letter."""
    if word.isascii():
        word = word.lower()
    if len(word) < min_length or word in stop_words or _LETTER.search(word) is None:
        return None  # numbers and symbols tagged as nouns have no letter
    return word


_UNSEEN = object()
_MAX_VERDICTS = 1 << 18  # remembered verdicts; a bound on memory


def _judge(words, verdicts, verdict, out):
    """Append ``verdict(word)`` for each word to ``out``, unless it is None.

    Words recur (Zipf): the verdict on each distinct word is worked out once
    and kept in the dict ``verdicts``, which saves most of the per-word cost.
    """
    for word in words:
        kept = verdicts.get(word, _UNSEEN)
        if kept is _UNSEEN:
            if len(verdicts) >= _MAX_VERDICTS:
                verdicts.clear()
            kept = verdicts[word] = verdict(word)
        if kept is not None:
            out.append(kept)
    return out


def package_words(name) -> frozenset:
    """Words of a list shipped in ``glipca.tokens`` (e.g. ``stopwords_en.txt``)."""
    text = resources.files("glipca.tokens").joinpath(name).read_text("utf-8")
    return frozenset(_words_of(text.splitlines()))


class _UserWords:
    """Words that are kept whole: found first, then cut out of the text.

    This is how a plain word list acts as a user dictionary for any
    tokeniser: a segmenter never sees the words (so cannot split them), and
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


def display_width(text):
    """Columns ``text`` takes in a terminal or a figure: East Asian wide and
    full-width characters (kanji, kana, hangul) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))
