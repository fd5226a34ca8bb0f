"""Content words of Chinese text, found by jieba.

jieba segments a sentence by the most probable route through a directed
acyclic graph of its dictionary words (unigram frequencies), and finds
words missing from the dictionary with a hidden Markov model; its
part-of-speech tagger (``jieba.posseg``) uses the tag set of ICTCLAS (Zhang,
Yu, Xiong and Liu 2003, "HHMM-based Chinese lexical analyzer ICTCLAS",
SIGHAN workshop).  Why jieba: docs/method.md, "Chinese".
"""

from __future__ import annotations

import contextlib
import functools
import logging
import unicodedata

from .english import english_stop_words
from .normalise import (
    _VERSION, _UserWords, _content_word, _digest, _distribution, _judge, _normalise_word, _stop_set, _strip,
    package_words,
)

__all__ = ["ChineseTokenizer", "CHINESE_STOP_WORDS", "CHINESE_KEEP_POS"]

# jieba tags kept by default: nouns (n), person (nr, nrfg, nrt), place (ns),
# organisation (nt) and other proper nouns (nz), verbal and adjectival nouns
# (vn, an), abbreviations (j: 央视, 发改委), fixed expressions (l:
# 冠状病毒, 密切接触) and Latin-script words (eng: ICU, N95).  Not kept:
# verbs, adjectives, time words (t: 今天), place words (s: 境外), numbers,
# measure words, pronouns, function words and idioms (i: 挺身而出).
CHINESE_KEEP_POS = ("n", "nr", "nrfg", "nrt", "ns", "nt", "nz", "vn", "an", "j", "l", "eng")

# Nouns without a topic of their own and the text Weibo appends to posts
# (``stopwords_zh.txt``).
CHINESE_STOP_WORDS = package_words("stopwords_zh.txt")

_INSTALL_HINT = "ChineseTokenizer needs jieba: pip install jieba"


class ChineseTokenizer:
    """Content words of Chinese text, found by jieba's part-of-speech tagger.

    Text is NFKC-normalised (full-width Latin letters and digits become
    ordinary) and URLs, e-mail addresses and @mentions are removed before
    segmenting.  Words whose jieba tag is in ``keep_pos`` are kept; words
    shorter than ``min_length``, words without a letter and stop words are
    dropped.  Latin words are lower-cased.

    jieba is loaded on first use and is not pickled, so the object can be
    sent to worker processes; each loads its own dictionary (about a second;
    jieba keeps a cache of it in the temporary folder).

    Parameters
    ----------
    keep_pos : sequence of str, optional
        jieba tags to keep (exact tags, not prefixes).  Defaults to
        :data:`CHINESE_KEEP_POS`.
    stop_words : iterable of str, optional
        Defaults to :data:`CHINESE_STOP_WORDS` plus the English stop list
        (for English words mixed into Chinese posts); give ``()`` for none.
    extra_stop_words : iterable of str, default ()
        Added to ``stop_words`` (e.g. the collection query words).
    min_length : int, default 2
        Shorter words are dropped.  Single characters are dropped by
        default: in modern Chinese they are mostly function words,
        measure words or pieces of names jieba did not recognise.
    user_words : iterable of str, default ()
        Words always kept whole, e.g. names jieba would split (``火神山``).

    Examples
    --------
    >>> ChineseTokenizer()("武汉新增确诊病例，医院收治患者")
    ['武汉', '病例', '医院', '收治', '患者']
    """

    lang = "zh"

    def __init__(self, keep_pos=None, stop_words=None, extra_stop_words=(), min_length=2, user_words=()):
        if isinstance(keep_pos, str):
            keep_pos = (keep_pos,)
        self.keep_pos = tuple(CHINESE_KEEP_POS if keep_pos is None else keep_pos)
        if stop_words is None:
            stop_words = CHINESE_STOP_WORDS | english_stop_words()
        self.stop_words = _stop_set(stop_words, extra_stop_words, _normalise_word)
        self.min_length = int(min_length)
        self.user_words = _UserWords(user_words, _normalise_word, boundaries=False)
        self._keep = frozenset(self.keep_pos)
        self._segmenter = None
        self._verdicts = {}

    @property
    def segmenter(self):
        """jieba's part-of-speech tokenizer of this process, made on first use."""
        if self._segmenter is None:
            self._segmenter = _make_segmenter()
        return self._segmenter

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_segmenter"] = None  # large; workers load their own
        state["_verdicts"] = {}
        return state

    def __call__(self, text) -> list:
        text = _strip(unicodedata.normalize("NFKC", text))
        text, user = self.user_words.cut(text)
        tagged = ((pair.word, pair.flag) for pair in self.segmenter.cut(text))
        return _judge(tagged, self._verdicts, self._verdict, list(user))

    def _verdict(self, tagged):
        """The word to count for a (word, tag) pair, or None to drop it."""
        word, tag = tagged
        if tag not in self._keep:
            return None
        return _content_word(word, self.min_length, self.stop_words)

    def params(self) -> dict:
        """JSON-ready description of the options (a cache key)."""
        return {
            "tokenizer": type(self).__name__,
            "version": _VERSION,
            "lang": self.lang,
            "segmenter": _distribution("jieba"),
            "keep_pos": list(self.keep_pos),
            "min_length": self.min_length,
            "stop_words": {"n": len(self.stop_words), "sha1": _digest(self.stop_words)},
            "user_words": self.user_words.params(),
        }

    def __repr__(self):
        return f"ChineseTokenizer(keep_pos={list(self.keep_pos)!r}, min_length={self.min_length})"


@contextlib.contextmanager
def _quiet(logger):
    # jieba reports loading its dictionary on stderr at DEBUG level; silence
    # it for the load only, leaving jieba's logging as the caller set it.
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _make_segmenter():
    try:
        import jieba
        import jieba.posseg
    except ImportError:
        raise ImportError(_INSTALL_HINT) from None
    tokenizer = jieba.Tokenizer()  # our own, not jieba's shared default
    with _quiet(logging.getLogger("jieba")):
        tokenizer.initialize()
    tagger = jieba.posseg.POSTokenizer(tokenizer)
    _remember_unknown_spans(tagger)
    return tagger


def _remember_unknown_spans(tagger):
    """Tag each run of characters missing from the dictionary once.

    jieba tags such runs (names, new words) with a character-level hidden
    Markov model, which costs most of its time; the result depends on the
    run alone, and runs recur.  Remembering them makes tagging the Weibo
    corpus of docs/method.md 2.5 times faster with identical output.  jieba
    has no public hook for this: if the private method is ever renamed,
    tagging is only slower.
    """
    name = "_POSTokenizer__cut_detail"
    detail = getattr(type(tagger), name, None)
    if detail is None:
        return

    @functools.lru_cache(maxsize=1 << 16)
    def tagged(span):
        return tuple(detail(tagger, span))

    setattr(tagger, name, lambda span: iter(tagged(span)))
