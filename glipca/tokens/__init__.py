"""Tokenisers: text -> list of words.

This package knows nothing of files or clustering.  A tokeniser is a
callable object with a ``lang`` attribute and a ``params()`` method whose
JSON-ready result describes it fully (it serves as a cache key).

* :mod:`~glipca.tokens.normalise`: URL and mention stripping, cleaning,
  user words and word lists, shared by all tokenisers.
* :class:`EnglishTokenizer` handles English and other languages written with
  spaces between words.
* :class:`JapaneseTokenizer` keeps content nouns found by MeCab with the
  UniDic dictionary of ``unidic-lite``.
* :class:`ChineseTokenizer` keeps content words found by jieba.
* :func:`make_tokenizer` and :func:`detect_language` pick one.

Stop lists ship as package data (``stopwords_*.txt``).
"""

from .chinese import CHINESE_STOP_WORDS, ChineseTokenizer
from .detect import LANGUAGES, detect_language, make_tokenizer
from .english import EnglishTokenizer, english_stop_words
from .japanese import _FORMAT, DEFAULT_KEEP_POS, JAPANESE_STOP_WORDS, JapaneseTokenizer, MeCabError
from .normalise import read_word_list

__all__ = [
    "EnglishTokenizer",
    "JapaneseTokenizer",
    "ChineseTokenizer",
    "make_tokenizer",
    "detect_language",
    "english_stop_words",
    "read_word_list",
    "MeCabError",
    "JAPANESE_STOP_WORDS",
    "DEFAULT_KEEP_POS",
    "CHINESE_STOP_WORDS",
    "LANGUAGES",
]
