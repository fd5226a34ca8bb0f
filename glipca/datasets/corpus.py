"""Planted corpora: posts in which known trends and distractors are planted.

:func:`make_trend_corpus` writes a dump of posts in which a known set of
single-peak trends, distractor words and background words has been planted,
so that every stage of the pipeline can be scored against the truth (see
:mod:`glipca.evaluation`). The generator knows nothing about the pipeline: it
only produces posts (id, timestamp, text) and the list of what it planted.

The model
---------
Each trend ``k`` has a peak day ``p``, a width ``sigma`` and an amplitude
``a``. On day ``t`` the number of posts about it is
``Poisson(N(t) * a * (floor + exp(-(t - p)**2 / (2 sigma**2))) * J(t))``,
where ``N(t)`` is the day's volume and ``J(t)`` a lognormal jitter
(sigma 0.3) shared by the whole trend. Each such post holds each of the
trend's words with the word's own probability (0.3 to 0.9, at least one
word). The shared jitter and the co-occurrence in the same posts make the
words of a trend *directly* correlated.

``n_close_pairs`` pairs of trends peak ``close_gap`` days apart, with a
common width tuned so that their jittered daily rates correlate at 0.55
to 0.7 (their word series, at about 0.45 to 0.7); their words are
disjoint, so they are only *indirectly* correlated. Other trends are kept
at least ``2 * sqrt(sigma_i**2 + sigma_j**2)`` days apart, and widths are
otherwise uniform in [1.5, 3] days. In about half the seeds one trend
peaks within 3 days of an edge. ``a`` and ``floor`` are uniform in
[0.02, 0.05].

Distractors: ``n_shared`` words used by the posts of two trends (the
first two, when there are close pairs, by the two trends of a close pair,
so that their series is a single bump bridging the pair; the others by
two distant trends, so that they peak twice), ``n_seasonal`` words with a
weekly rate, and ``n_drifting`` words whose rate rises or falls linearly
(by a factor of 2.5 to 4) across the window. Every post also holds 2 or
more draws of ``n_background`` background words with Zipf-like constant
rates.

``same_day`` more trends (0, or 2 or 3) peak together on a day far from
the other trends, with words of their own in disjoint posts; ``n_burst``
words spike on another such day, each in posts of its own
(:mod:`glipca.datasets.stories`). Both come from a random stream of
their own: the rest of the corpus keeps its structure.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .placement import pair_shared, place_trends
from .oneword import tail_draws, tail_words
from .stories import plant_stories
from .text import build_texts, planted_words

__all__ = ["PlantedCorpus", "make_trend_corpus"]

_KINDS = ("trend", "shared", "seasonal", "drifting", "burst", "background", "tail")


@dataclass(eq=False)
class PlantedCorpus:
    """Posts with a planted truth, as returned by :func:`make_trend_corpus`.

    Attributes
    ----------
    posts : pandas.DataFrame
        Columns ``id`` (int64), ``created_at`` (ISO 8601 string with a UTC
        offset) and ``text``, sorted by time.
    lang : {"en", "ja"}
        Language of the texts.
    trends : list of dict
        One per planted trend, ordered by peak: ``id``, ``peak``
        (``YYYY-MM-DD``), ``peak_day`` (index of the peak in ``days``),
        ``sigma`` (Gaussian width in days), ``amplitude`` (share of the day's
        posts about the trend at its peak) and ``words``.
    close_pairs : list of tuple of int
        Pairs of trend ids whose peaks are ``close_gap`` days apart.
    shared_words : list of str
        Words used by the posts of two trends (see ``shared_trends``).
    seasonal_words, drifting_words, background_words : list of str
        Words with a weekly rate, a steadily rising or falling rate, and a
        constant rate.
    truth : dict of str to int
        Trend id of every trend word; distractors are absent.
    shared_trends : dict of str to tuple of int
        The two trend ids behind each shared word.
    same_day : list of int
        Ids of the trends that peak on the same day in disjoint posts: each
        a story of its own.
    facets : list of int
        Ids of the trends that tell one story in facets.
    one_word : list of dict
        One-word trends: ``word``, ``kind`` (``"hashtag"`` or ``"rare"``),
        ``peak``, ``peak_day`` and ``posts`` (posts on the peak day).
    tail_words : list of str
        Made-up words of the long tail (``n_tail``).
    burst_words : list of str
        Words that spike on ``burst_day``, each in posts of its own.
    burst_day : str or None
        ``YYYY-MM-DD``.
    days : list of str
        The calendar days of the window, ``YYYY-MM-DD``.
    params : dict
        The arguments the corpus was generated with.
    """

    posts: pd.DataFrame
    lang: str
    trends: list
    close_pairs: list
    shared_words: list
    seasonal_words: list
    drifting_words: list
    background_words: list
    truth: dict
    shared_trends: dict = field(default_factory=dict)
    same_day: list = field(default_factory=list)
    burst_words: list = field(default_factory=list)
    burst_day: str = None
    days: list = field(default_factory=list)
    params: dict = field(default_factory=dict)
    facets: list = field(default_factory=list)
    one_word: list = field(default_factory=list)
    tail_words: list = field(default_factory=list)

    @property
    def stories(self):
        """The planted stories, in order of peak: ``trends`` (ids of the
        trends that tell it: the facets together, every other trend alone,
        none for a one-word trend), ``words`` and ``peak``."""
        by_id = {tr["id"]: tr for tr in self.trends}
        groups = [[tr["id"]] for tr in self.trends if tr["id"] not in self.facets]
        if self.facets:
            groups.append(list(self.facets))
        out = [{"trends": ids, "words": [w for k in ids for w in by_id[k]["words"]],
                "peak": min(by_id[k]["peak"] for k in ids)} for ids in groups]
        out += [{"trends": [], "words": [o["word"]], "peak": o["peak"]} for o in self.one_word]
        return sorted(out, key=lambda st: (st["peak"], st["words"]))

    def story_of(self, word):
        """Index in :attr:`stories` of the story ``word`` tells, or -1."""
        for i, st in enumerate(self.stories):
            if word in st["words"]:
                return i
        return -1

    @property
    def distractor_words(self):
        """Planted non-trend words with a structured rate (shared, seasonal,
        drifting, burst); background words are not included."""
        return self.shared_words + self.seasonal_words + self.drifting_words + self.burst_words

    def label_of(self, word):
        """Trend id of ``word``, or -1 for any word that is not a trend word."""
        return self.truth.get(word, -1)

    @cached_property
    def word_kinds(self):
        """Dict from every planted word to its kind: ``"trend"``,
        ``"shared"``, ``"seasonal"``, ``"drifting"``, ``"burst"``,
        ``"background"``, ``"tail"``, or a one-word trend's (``"hashtag"``,
        ``"rare"``)."""
        kinds = {w: "trend" for w in self.truth}
        for kind in _KINDS[1:]:
            kinds.update(dict.fromkeys(getattr(self, f"{kind}_words"), kind))
        kinds.update({o["word"]: o["kind"] for o in self.one_word})
        return kinds

    def kind_of(self, word):
        """Kind of ``word`` (see ``word_kinds``), or None if not planted."""
        return self.word_kinds.get(word)

    def write_jsonl(self, path):
        """Write the posts as JSON Lines, gzip-compressed if ``path`` ends
        with ``.gz``. Returns the path."""
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "wt", encoding="utf-8") as fh:
            for rec in self.posts.itertuples(index=False):
                fh.write(json.dumps(
                    {"id": int(rec.id), "created_at": rec.created_at,
                     "text": rec.text}, ensure_ascii=False))
                fh.write("\n")
        return path


def make_trend_corpus(*, lang="en", n_days=61, start="2020-03-08", n_trends=8,
                      n_close_pairs=2, close_gap=3, words_per_trend=6,
                      n_shared=3, n_seasonal=5, n_drifting=5,
                      n_background=300, posts_per_day=(1500, 3000), same_day=0,
                      n_burst=0, facets=0, facet_mix=0.1, hashtag=0, rare_burst=0,
                      n_tail=0, seed=0):
    """Generate posts in which single-peak trends and distractors are planted.

    The model of trends, close pairs and distractors is described in the
    module docstring (:mod:`glipca.datasets.corpus`).

    Parameters
    ----------
    lang : {"en", "ja"}
        Language: nouns joined by stop words (English) or particles, which
        MeCab with unidic-lite splits back into the planted nouns (Japanese).
    n_days : int
        Length of the window in days.
    start : str
        First day, ``YYYY-MM-DD``.
    n_trends, n_close_pairs, close_gap, words_per_trend : int
        Number of trends, of close pairs among them, the distance in days
        between the peaks of a close pair, and words per trend.
    n_shared, n_seasonal, n_drifting, n_background : int
        Number of words of each distractor kind.
    posts_per_day : tuple of (float, float)
        Mean daily volume on the first and on the last day; it grows
        geometrically in between, modulated by the day of the week.
    same_day, n_burst : int
        Same-day stories and burst words (default none).
    facets : int
        Trends that tell one story in facets (0, or 2 to 4): each peaks on
        a common day or the day after, with ``words_per_trend`` words of its
        own in posts of its own, ``facet_mix`` of which also hold words of
        another facet (:func:`glipca.datasets.stories.plant_facets`).
    facet_mix : float
        Share of a facet's posts that mix in another facet's words.
    hashtag : int
        Posts on the peak day of a one-word hashtag burst (0: none): one
        word whose posts otherwise hold background words only.
    rare_burst : int
        Posts on the peak day of a rare bursty word (0: none), seen in one
        or two posts a day otherwise.
    n_tail : int
        Made-up words (English only) each used in about 2.5 × ``rare_burst``
        posts (or 750) over the window, so that a rare bursty word ranks
        below all of them by volume.
    seed : int
        Seed of the :class:`numpy.random.Generator`; the output is a
        deterministic function of the arguments.

    Returns
    -------
    PlantedCorpus

    Timestamps carry ``+00:00`` (English) or ``+09:00`` (Japanese, timed
    09:00-24:00 so that the planted day is the same in Japan time and UTC).
    """
    full = dict(lang=lang, n_days=n_days, start=start, n_trends=n_trends,
                n_close_pairs=n_close_pairs, close_gap=close_gap,
                words_per_trend=words_per_trend, n_shared=n_shared, n_seasonal=n_seasonal,
                n_drifting=n_drifting, n_background=n_background,
                posts_per_day=tuple(posts_per_day), same_day=same_day, n_burst=n_burst,
                seed=seed, facets=facets, facet_mix=facet_mix, hashtag=hashtag,
                rare_burst=rare_burst, n_tail=n_tail)
    params = _recorded_params(full)
    vocab = _check_params(full)
    # Three streams, so that a seed plants the same structure (peaks, widths,
    # rates) at any volume and in both languages, with only the words
    # changed: the vocabulary draw, the structure, and the sampled posts
    # (a fourth for the stories, see the module docstring).
    rw, rs, rng, r_extra = (np.random.default_rng(s)
                            for s in np.random.SeedSequence(seed).spawn(4))
    calendar = _calendar(start, n_days)
    words = _draw_words(rw, vocab, full)
    structure = _plant_structure(rs, calendar, words, full)
    posts, stories = _sample_posts(rng, r_extra, calendar, words, structure, full)
    corpus = _planted_corpus(posts, calendar, words, structure, stories, full)
    corpus.params = params
    return corpus


#: Parameters recorded only when they differ from these, so that the params
#: of the corpora made before they existed stay as they were.
_NEWER_PARAMS = {"facets": 0, "facet_mix": 0.1, "hashtag": 0, "rare_burst": 0, "n_tail": 0}


def _recorded_params(full):
    """The ``params`` a corpus records, in their historical order."""
    params = {k: v for k, v in full.items() if k not in _NEWER_PARAMS}
    params.update({k: full[k] for k, default in _NEWER_PARAMS.items() if full[k] != default})
    return params


@dataclass
class _Calendar:
    """The window: day numbers, dates, weekdays (Monday = 0) and a 0-to-1 ramp."""

    t: np.ndarray
    dates: np.ndarray
    weekday: np.ndarray
    ramp: np.ndarray


def _calendar(start, n_days):
    t = np.arange(n_days)
    first_day = np.datetime64(pd.Timestamp(start).date(), "D")
    weekday = (pd.Timestamp(start).day_of_week + t) % 7
    return _Calendar(t, first_day + t, weekday, t / max(n_days - 1, 1))


@dataclass
class _Words:
    """The planted words of each kind; ``all`` in index order."""

    trend: list
    shared: list
    seasonal: list
    drifting: list
    background: list
    day: list
    burst: list
    facet: list
    hashtag: list
    rare: list
    tail: list
    all: list
    index: dict
    background_start: int


def _draw_words(rw, vocab, p):
    """Shuffle the vocabulary and cut it into the words of each kind."""
    per_trend, same_day = p["words_per_trend"], p["same_day"]
    words = [vocab[i] for i in rw.permutation(len(vocab))]
    cuts = np.cumsum([p["n_trends"] * per_trend, p["n_shared"], p["n_seasonal"],
                      p["n_drifting"], p["n_background"]])
    trend_words = [words[k * per_trend:(k + 1) * per_trend] for k in range(p["n_trends"])]
    n_one = (p["hashtag"] > 0) + (p["rare_burst"] > 0)
    # Words of the later options come after those of the earlier ones: a
    # corpus without them keeps its words.
    extra = words[cuts[4]:cuts[4] + same_day * per_trend + p["n_burst"]
                  + p["facets"] * per_trend + n_one]
    day_words = [extra[k * per_trend:(k + 1) * per_trend] for k in range(same_day)]
    burst = extra[same_day * per_trend:same_day * per_trend + p["n_burst"]]
    rest = extra[same_day * per_trend + p["n_burst"]:]
    facet = [rest[k * per_trend:(k + 1) * per_trend] for k in range(p["facets"])]
    one = rest[p["facets"] * per_trend:]
    hashtag, rare = one[:p["hashtag"] > 0], one[p["hashtag"] > 0:]
    tail = tail_words(p["n_tail"], exclude=vocab) if p["n_tail"] else []
    words = words[:cuts[4]] + extra + tail
    return _Words(
        trend=trend_words, shared=words[cuts[0]:cuts[1]], seasonal=words[cuts[1]:cuts[2]],
        drifting=words[cuts[2]:cuts[3]], background=words[cuts[3]:cuts[4]], day=day_words,
        burst=burst, facet=facet, hashtag=hashtag, rare=rare, tail=tail, all=words,
        index={w: i for i, w in enumerate(words)}, background_start=cuts[3])


@dataclass
class _Structure:
    """What the structure stream plants: trends, their words' inclusion
    probabilities, the shared words' trends and the distractors' rates."""

    peaks: np.ndarray
    sigmas: np.ndarray
    close_pairs: list
    amplitudes: np.ndarray
    rate: np.ndarray
    inclusion: np.ndarray
    shared_trends: dict
    shared_inclusion: np.ndarray
    word_rates: dict


def _plant_structure(rs, calendar, words, p):
    """Draw the structure; the order of the draws from ``rs`` is part of the output."""
    peaks, sigmas, close_pairs, amplitudes, rate = _trend_rates(rs, calendar.t, p)
    inclusion = rs.uniform(0.3, 0.9, (p["n_trends"], p["words_per_trend"]))
    shared_trends = pair_shared(rs, words.shared, peaks, sigmas, close_pairs)
    shared_inclusion = rs.uniform(0.3, 0.7, (p["n_shared"], 2))
    word_rates = _distractor_rates(rs, words, calendar)
    return _Structure(peaks, sigmas, close_pairs, amplitudes, rate, inclusion,
                      shared_trends, shared_inclusion, word_rates)


def _trend_rates(rs, t, p):
    """Peaks, widths, close pairs, amplitudes and daily rate of every trend."""
    n_trends, T = p["n_trends"], len(t)
    peaks, sigmas, close_pairs, pair_corr = place_trends(
        rs, T, n_trends, p["n_close_pairs"], p["close_gap"])
    amplitudes = rs.uniform(0.02, 0.05, n_trends)
    floors = rs.uniform(0.02, 0.05, n_trends)
    jitter = np.exp(0.3 * rs.standard_normal((n_trends, T)))

    def trend_rate(k, sigma):
        bump = np.exp(-(t - peaks[k]) ** 2 / (2 * sigma ** 2))
        return amplitudes[k] * (floors[k] + bump) * jitter[k]

    # With only a handful of days in their bumps, the jitter moves the
    # correlation of a close pair far from what the widths alone give; so the
    # common width is tuned, near its nominal value, until the correlation of
    # the two (jittered) rates is on target.
    for (i, j), c in zip(close_pairs, pair_corr):
        grid = sigmas[i] * np.linspace(0.7, 1.5, 81)
        r = [np.corrcoef(trend_rate(i, s), trend_rate(j, s))[0, 1]
             for s in grid]
        sigmas[i] = sigmas[j] = grid[int(np.argmin(np.abs(np.array(r) - c)))]
    rate = np.array([trend_rate(k, sigmas[k]) for k in range(n_trends)])
    return peaks, sigmas, close_pairs, amplitudes, rate


def _distractor_rates(rs, words, calendar):
    """Daily rate of every seasonal and drifting word."""
    word_rates = {}
    # Seasonal words: a weekly bump on one day of the week (mostly at the
    # weekend) and half of it on the neighbouring days.
    for w in words.seasonal:
        day = rs.choice([5, 6]) if rs.random() < 0.7 else rs.integers(7)
        lag = (calendar.weekday - day) % 7
        shape = np.select([lag == 0, (lag == 1) | (lag == 6)], [1.0, 0.5], 0.0)
        word_rates[w] = rs.uniform(0.004, 0.01) * (1 + rs.uniform(2, 4) * shape)
    for w in words.drifting:
        shape = calendar.ramp if rs.random() < 0.5 else calendar.ramp[::-1]
        word_rates[w] = rs.uniform(0.003, 0.008) * (1 + rs.uniform(1.5, 3) * shape)
    return word_rates


def _sample_posts(rng, r_extra, calendar, words, structure, p):
    """The posts, sorted by time, and the stories planted in them.

    Returns
    -------
    posts : DataFrame
    stories : (list of dict, int or None, int or None)
        The same-day trends, their day and the burst day.
    """
    n_posts_day = _daily_volume(rng, calendar, p["posts_per_day"])
    n_posts = int(n_posts_day.sum())
    offsets = np.concatenate([[0], np.cumsum(n_posts_day)])
    post_day = np.repeat(calendar.t, n_posts_day)
    post_trend = _trend_of_posts(rng, n_posts_day, offsets, structure.rate)
    pairs = _topical_pairs(rng, words, structure, n_posts_day, offsets, post_trend)
    stories = [], None, None, [], []
    one_words = ([(w, p["hashtag"], 1.0, 0.5) for w in words.hashtag]
                 + [(w, p["rare_burst"], 0.5, 1.0) for w in words.rare])
    if p["same_day"] or p["n_burst"] or p["facets"] or one_words:
        story_pairs, *stories = plant_stories(
            r_extra, words.day, words.burst, structure.peaks, structure.sigmas,
            n_posts_day, offsets, post_trend, facet_words=words.facet,
            facet_mix=p["facet_mix"], one_words=one_words)
        pairs += story_pairs
    if words.tail:
        # A long tail of words, each used more than the rare bursty word.
        per_word = 2.5 * p["rare_burst"] if p["rare_burst"] else 750
        tail_post, tail_word = tail_draws(r_extra, n_posts, len(words.tail), per_word)
        pairs_tail = [(tail_post, words.index[words.tail[0]] + tail_word)]
    else:
        pairs_tail = []
    pairs_post = [posts for posts, _ in pairs] + [posts for posts, _ in pairs_tail]
    pairs_word = ([np.full(posts.size, words.index[w]) for posts, w in pairs]
                  + [index for _, index in pairs_tail])
    # Background words: constant Zipf-like rates; at least two draws per post
    # so that every text reads like a sentence.
    zipf = 1.0 / (np.arange(p["n_background"]) + 10.0)
    n_draws = 2 + rng.poisson(1.5, n_posts)
    pairs_post.append(np.repeat(np.arange(n_posts), n_draws))
    pairs_word.append(words.background_start + rng.choice(p["n_background"], n_draws.sum(),
                                                          p=zipf / zipf.sum()))
    texts = build_texts(rng, p["lang"], np.concatenate(pairs_post),
                        np.concatenate(pairs_word), n_posts, words.all)
    return _timed_posts(rng, p["lang"], calendar, post_day, texts), tuple(stories)


def _daily_volume(rng, calendar, posts_per_day):
    """Posts per day: geometric growth, more posts at the weekend."""
    lo, hi = posts_per_day
    growth = lo * (hi / lo) ** calendar.ramp
    dow = np.array([0.96, 0.97, 0.98, 1.0, 1.02, 1.1, 1.08])[calendar.weekday]
    return np.maximum(rng.poisson(growth * dow), 1)


def _trend_of_posts(rng, n_posts_day, offsets, rate):
    """Trend of each post, -1 for none."""
    n_about = rng.poisson(n_posts_day[None, :] * rate)
    # The trend posts take the first slots of each day (they are shuffled in
    # time later); never more of them than posts.
    over = n_about.sum(0) > n_posts_day
    n_about[:, over] = np.floor(n_about[:, over] * n_posts_day[over]
                                / n_about[:, over].sum(0)).astype(int)
    post_trend = np.full(int(n_posts_day.sum()), -1)
    for d in range(len(n_posts_day)):
        ids = np.repeat(np.arange(n_about.shape[0]), n_about[:, d])
        post_trend[offsets[d]:offsets[d] + ids.size] = ids
    return post_trend


def _topical_pairs(rng, words, structure, n_posts_day, offsets, post_trend):
    """(posts, word) for the trend, shared, seasonal and drifting words."""
    pairs = []
    per_trend = structure.inclusion.shape[1]
    trend_posts = [np.flatnonzero(post_trend == k) for k in range(len(words.trend))]
    for k, posts in enumerate(trend_posts):
        q = structure.inclusion[k]
        has = rng.random((posts.size, per_trend)) < q
        empty = np.flatnonzero(~has.any(1))
        has[empty, rng.choice(per_trend, empty.size, p=q / q.sum())] = True
        pairs += [(posts[has[:, j]], w) for j, w in enumerate(words.trend[k])]
    for (w, ks), qs in zip(structure.shared_trends.items(), structure.shared_inclusion):
        for k, q in zip(ks, qs):
            posts = trend_posts[k]
            pairs.append((posts[rng.random(posts.size) < q], w))
    for w, p in structure.word_rates.items():
        pairs.append((_pick_posts(rng, p, n_posts_day, offsets), w))
    return pairs


def _timed_posts(rng, lang, calendar, post_day, texts):
    """The posts with ids and timestamps, sorted by time."""
    # Seconds within the (local) day; see Notes of make_trend_corpus for the
    # Japanese window. Sorting on the uniform draw itself gives the same
    # order in both languages, ties of whole seconds included.
    n_posts = post_day.size
    first_s = 0 if lang == "en" else 9 * 3600
    u = rng.random(n_posts)
    secs = first_s + np.floor(u * (86400 - first_s)).astype(int)
    order = np.lexsort((u, post_day))
    stamps = (calendar.dates[post_day].astype("datetime64[s]")
              + secs.astype("timedelta64[s]"))[order]
    suffix = "+00:00" if lang == "en" else "+09:00"
    created = [s + suffix for s in np.datetime_as_string(stamps, unit="s")]
    return pd.DataFrame({
        "id": np.arange(1, n_posts + 1, dtype=np.int64),
        "created_at": created,
        "text": [texts[i] for i in order],
    })


def _planted_corpus(posts, calendar, words, structure, stories, p):
    """The :class:`PlantedCorpus`: the posts and what was planted in them."""
    same_trends, same_peak, burst_peak, facets, one_peaks = stories
    n_trends, peaks, sigmas = p["n_trends"], structure.peaks, structure.sigmas
    days = [str(d) for d in calendar.dates]
    trends = [{"id": k, "peak": days[int(peaks[k])], "peak_day": int(peaks[k]),
               "sigma": float(sigmas[k]), "amplitude": float(structure.amplitudes[k]),
               "words": list(words.trend[k])} for k in range(n_trends)]
    trend_words = list(words.trend)
    for i, extra_trend in enumerate(same_trends):
        trends.append({"id": n_trends + i, "peak": days[same_peak], "peak_day": same_peak,
                       **extra_trend, "words": list(words.day[i])})
        trend_words.append(words.day[i])
    first_facet = len(trend_words)
    for i, facet in enumerate(facets):
        day = facet["peak_day"]
        trends.append({"id": first_facet + i, "peak": days[day], **facet,
                       "words": list(words.facet[i])})
        trend_words.append(words.facet[i])
    one_word = [{"word": w, "kind": kind, "peak": days[day], "peak_day": day,
                 "posts": int(n)}
                for (w, kind, n), day in zip(
                    [(w, "hashtag", p["hashtag"]) for w in words.hashtag]
                    + [(w, "rare", p["rare_burst"]) for w in words.rare], one_peaks)]
    trends.sort(key=lambda tr: (tr["peak_day"], tr["id"]))
    truth = {w: k for k in range(len(trend_words)) for w in trend_words[k]}
    return PlantedCorpus(
        posts=posts, lang=p["lang"], trends=trends, close_pairs=structure.close_pairs,
        shared_words=list(words.shared), seasonal_words=list(words.seasonal),
        drifting_words=list(words.drifting),
        background_words=list(words.background), truth=truth,
        shared_trends=structure.shared_trends,
        same_day=list(range(n_trends, n_trends + p["same_day"])),
        burst_words=list(words.burst),
        burst_day=None if burst_peak is None else days[burst_peak],
        days=days, params=p,
        facets=list(range(first_facet, first_facet + len(facets))),
        one_word=one_word, tail_words=list(words.tail))


def _check_params(p):
    if p["lang"] not in ("en", "ja"):
        raise ValueError(f"lang must be 'en' or 'ja', got {p['lang']!r}")
    for name in ("n_trends", "n_close_pairs", "n_shared", "n_seasonal",
                 "n_drifting", "n_background"):
        if int(p[name]) != p[name] or p[name] < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    if p["same_day"] not in (0, 2, 3):
        raise ValueError(f"same_day must be 0, 2 or 3, got {p['same_day']!r}")
    if int(p["n_burst"]) != p["n_burst"] or p["n_burst"] < 0:
        raise ValueError("n_burst must be a non-negative integer")
    if p["facets"] not in (0, 2, 3, 4):
        raise ValueError(f"facets must be 0, 2, 3 or 4, got {p['facets']!r}")
    if not 0 <= p["facet_mix"] < 0.5:
        raise ValueError(f"facet_mix must be in [0, 0.5), got {p['facet_mix']!r}")
    for name in ("hashtag", "rare_burst", "n_tail"):
        if int(p[name]) != p[name] or p[name] < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    if p["n_tail"] and p["lang"] != "en":
        raise ValueError("n_tail (made-up tail words) is for English corpora only")
    if p["n_days"] < 14:
        raise ValueError("n_days must be at least 14")
    if p["words_per_trend"] < 2:
        raise ValueError("words_per_trend must be at least 2")
    if p["close_gap"] < 1:
        raise ValueError("close_gap must be at least 1")
    if 2 * p["n_close_pairs"] > p["n_trends"]:
        raise ValueError("n_close_pairs needs 2 * n_close_pairs <= n_trends")
    if p["n_shared"] and p["n_trends"] < 2:
        raise ValueError("shared words need at least two trends")
    if p["n_background"] < 1:
        raise ValueError("n_background must be at least 1")
    lo, hi = p["posts_per_day"]
    if not (lo > 0 and hi > 0):
        raise ValueError("posts_per_day must be positive")
    vocab = planted_words(p["lang"])
    need = ((p["n_trends"] + p["same_day"] + p["facets"]) * p["words_per_trend"]
            + p["n_shared"] + p["n_seasonal"] + p["n_drifting"] + p["n_background"]
            + p["n_burst"] + (p["hashtag"] > 0) + (p["rare_burst"] > 0))
    if need > len(vocab):
        raise ValueError(f"this configuration needs {need} distinct words; "
                         f"the {p['lang']} list has {len(vocab)}")
    return vocab


def _pick_posts(rng, p, n_posts_day, offsets):
    """Posts (global indices) that hold a word whose daily rate is ``p``."""
    counts = rng.binomial(n_posts_day, np.minimum(p, 1.0))
    return np.concatenate([
        offsets[d] + rng.choice(n_posts_day[d], counts[d], replace=False)
        for d in range(len(counts))])
