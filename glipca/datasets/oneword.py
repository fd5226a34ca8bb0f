"""One-word trends and a long tail of words, planted in a corpus.

Two tests of whether glipca finds a burst whatever the volume of its word:

* **a hashtag burst**: one word in about ``posts`` posts on its peak day
  (fewer on the days around it), whose posts otherwise hold background words
  only, so that no other word of the burst peaks with it: a trend of one word;
* **a rare bursty word**: one word with ``posts`` posts on its peak day and
  one or two a day otherwise, in a corpus whose long tail of words (``tail``)
  is each used more than this word over the window, so that by volume it
  ranks below every tail word.

The tail words are made of syllables (``kabemo``), so that any number of them
can be planted; English only, since a Japanese tokenizer may cut a made-up
katakana word in two.
"""

from __future__ import annotations

import numpy as np

from .pools import free_posts

__all__ = ["plant_one_word", "tail_words", "tail_draws"]

_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


def plant_one_word(rng, day, posts, sigma, floor, n_posts_day, free, offsets):
    """Posts of one word with ``posts`` posts on ``day``.

    On day ``t`` the word is in ``round(posts * exp(-(t - day)**2 / (2 sigma**2)))``
    posts about no trend (from ``free``, so that they hold background words
    only), and in ``Poisson(floor)`` posts anywhere else on every day.

    Returns
    -------
    ndarray
        The posts (global indices) that hold the word.
    """
    t = np.arange(len(n_posts_day))
    bump = np.round(posts * np.exp(-(t - day) ** 2 / (2.0 * sigma ** 2))).astype(int)
    spike = [free_posts(rng, free, d, n) for d, n in enumerate(bump) if n > 0]
    counts = np.minimum(rng.poisson(floor, t.size), n_posts_day)
    base = [offsets[d] + rng.choice(n_posts_day[d], counts[d], replace=False)
            for d in range(t.size) if counts[d]]
    return np.unique(np.concatenate(spike + base))


def tail_words(n, exclude=()):
    """``n`` distinct made-up words of three syllables (``kabemo``), in a fixed order."""
    syllables = [c + v for c in _CONSONANTS for v in _VOWELS]
    taken = set(exclude)
    out = []
    k = len(syllables)
    for i in range(k ** 3):
        # A stride coprime with k**3 spreads consecutive words over the syllables.
        j = (i * 7919) % k ** 3
        word = syllables[j // k ** 2] + syllables[(j // k) % k] + syllables[j % k]
        if word not in taken:
            out.append(word)
            taken.add(word)
            if len(out) == n:
                return out
    raise ValueError(f"at most {len(out)} tail words can be made")


def tail_draws(rng, n_posts, n_tail, per_word):
    """Post and tail-word index of each use of a tail word.

    Each tail word is used in about ``per_word`` posts over the window, with
    rates spread over a factor of two so that the tail is not flat.

    Returns
    -------
    posts, words : ndarray
    """
    weights = np.linspace(1.0, 2.0, n_tail)
    weights /= weights.sum()
    n_draws = rng.poisson(n_tail * per_word / n_posts, n_posts)
    posts = np.repeat(np.arange(n_posts), n_draws)
    words = rng.choice(n_tail, n_draws.sum(), p=weights)
    return posts, words
