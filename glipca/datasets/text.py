"""Planted words and the sentences built from them.

The word lists are package data (``words/en.txt``, ``words/ja.txt``), so that
they can be read, checked and extended without touching code. Texts are the
planted words joined by stop words (English) or particles (Japanese): they
read like sentences while tokenising back to the planted words only.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["planted_words", "build_texts", "EN_JOINERS", "JA_JOINERS"]

EN_JOINERS = (" and ", " of the ", " with ", " is ", " and the ", " for a ",
              " in the ", " on ", " to the ", " at ", ", ")
EN_ENDINGS = (".", "!", "?", ".")
JA_JOINERS = ("は", "が", "の", "と", "を", "で", "に", "も", "について",
              "から", "や", "とか", "、")
JA_ENDINGS = ("。", "です。", "だ。", "ですね。", "！")


@lru_cache(maxsize=None)
def planted_words(lang):
    """The planted vocabulary of ``lang`` ("en" or "ja"), in file order.

    The order is part of what a seed generates: the lists are only ever
    appended to.
    """
    if lang not in ("en", "ja"):
        raise ValueError(f"lang must be 'en' or 'ja', got {lang!r}")
    text = resources.files(__package__).joinpath("words", f"{lang}.txt").read_text("utf-8")
    return tuple(w for line in text.splitlines() if not line.startswith("#")
                 for w in line.split())


def build_texts(rng, lang, post, word, n_posts, words):
    """Join each post's words, in random order, into a sentence.

    ``post`` and ``word`` are parallel arrays of (post index, word index)
    pairs; a pair given twice is used once.
    """
    n_words = len(words)
    code = np.unique(post.astype(np.int64) * n_words + word)
    post, word = code // n_words, code % n_words
    order = np.lexsort((rng.random(code.size), post))
    post, word = post[order], word[order]
    joiners, endings = ((EN_JOINERS, EN_ENDINGS) if lang == "en"
                        else (JA_JOINERS, JA_ENDINGS))
    glue = np.array(joiners, dtype=object)[rng.integers(0, len(joiners), code.size)]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(post, minlength=n_posts))])
    last = bounds[1:] - 1
    glue[last] = np.array(endings, dtype=object)[
        rng.integers(0, len(endings), n_posts)]
    tokens = (np.array(words, dtype=object)[word] + glue).tolist()
    texts = ["".join(tokens[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    if lang == "en":
        texts = [s[0].upper() + s[1:] for s in texts]
    return texts
