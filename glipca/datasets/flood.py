"""A flood of words that never repeat: a spam or hash flood's vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["write_word_flood"]

_LETTERS = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def write_word_flood(path, n_posts, *, words_per_post=20, word_length=10, n_days=28,
                     start="2021-02-01", seed=0, batch=10000):
    """Write ``n_posts`` posts of random lowercase words as JSON lines.

    With the default 10 letters, 26**10 possible words make a repeat
    unlikely (under one in 10**4 for 4 million words), so the vocabulary
    is ``n_posts * words_per_post`` distinct words, each in one post.  The
    posts are spread evenly over ``n_days`` days from ``start``.

    Returns
    -------
    Path
    """
    rng = np.random.default_rng(seed)
    day0 = np.datetime64(start, "D")
    path = Path(path)
    with open(path, "w", encoding="ascii") as fh:
        for lo in range(0, n_posts, batch):
            n = min(batch, n_posts - lo)
            letters = _LETTERS[rng.integers(0, 26, size=(n, words_per_post, word_length))]
            # Each post: its words, then a space, as one row of bytes.
            row = np.concatenate([letters, np.full((n, words_per_post, 1), 32, np.uint8)], axis=2)
            texts = row.reshape(n, -1)[:, :-1]
            for i in range(n):
                day = day0 + (lo + i) * n_days // n_posts
                fh.write(json.dumps({"id": str(lo + i), "created_at": f"{day}T12:00:00+00:00",
                                     "text": texts[i].tobytes().decode("ascii")}) + "\n")
    return path
