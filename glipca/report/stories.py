"""Stories as a reader sees them: plain values the report and notebooks show.

A story is what one event looks like in the posts: its facets (the trend
clusters that tell it), its words, its posts and its share of posts over
time. :func:`story_views` makes one :class:`StoryView` per story of a
``clusters.json`` document; until the document holds stories of its own,
each cluster is a story of one facet. Everything here is a plain value
(strings, numbers, tuples), so that the HTML report and the notebook
displays draw from the same thing and never read files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .document import cluster_name
from .figures import cluster_file

__all__ = ["FacetView", "PostView", "StoryView", "reader_date", "sparkline_values", "story_shares",
           "story_views", "wall_time"]

#: Representative posts a story shows.
STORY_POSTS = 5
#: Points of a story's sparkline: longer series are pooled to this many.
SPARK_POINTS = 120
#: Words shown as tags of a story of one facet.
TAG_WORDS = 3

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PostView:
    """One representative post: where and when it was posted, and what it says."""

    id: str
    time: str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class FacetView:
    """One trend cluster within a story."""

    id: int
    label: str
    words: tuple
    loadings: tuple
    eigenvalue: float | None = None
    edges: int | None = None
    peak_frequency: float | None = None
    figure: str | None = None


@dataclass(frozen=True)
class StoryView:
    """A story, ready to show.

    Attributes
    ----------
    id : int
        The story's number: its anchor is ``story-<id>``.
    label : str
    peak, start, end : str
        Period labels (``2016-11-08``) of the peak and of the span at half height.
    facets : tuple of FacetView
    words : tuple of str
        Its descriptive words, most central first.
    posts : tuple of PostView
        Best first, at most :data:`STORY_POSTS`.
    n_posts : int or None
        Posts near the peak that hold two of its words or more.
    share : tuple of float
        Its share of posts per period (the largest share of one of its words).
    coherence, stability : float or None
    n_resamples : int or None
        Resamples the stability was measured on.
    emerging : dict or None
        ``rising_since`` and ``growth_rate`` when still rising at the end.
    edge : bool
        Peaks at the first or last observed period.
    related : tuple of int
        Stories of the same group of related clusters.
    """

    id: int
    label: str
    peak: str
    start: str
    end: str
    facets: tuple
    words: tuple
    posts: tuple
    n_posts: int | None
    share: tuple
    coherence: float | None = None
    stability: float | None = None
    n_resamples: int | None = None
    emerging: dict | None = None
    edge: bool = False
    related: tuple = ()

    @property
    def tags(self):
        """Small tags naming the story's facets: each facet's label, or for a
        story of one facet (or none: a story of one word) its words beyond
        the label; ``(text, facet id or None)``."""
        if len(self.facets) > 1:
            return tuple((f.label, f.id) for f in self.facets)
        facet = self.facets[0] if self.facets else None
        named = set(self.label.split())
        words = facet.words if facet is not None else self.words
        extra = [w for w in words if w not in named][:TAG_WORDS]
        return tuple((w, None if facet is None else facet.id) for w in extra)


def wall_time(label):
    """A period label as a naive time on the wall clock of its zone.

    Labels are ``2016-11-08`` at midnight and ISO 8601 with an offset
    otherwise, so that a list of them mixes naive and aware times.
    """
    t = pd.Timestamp(label)
    return t.tz_localize(None) if t.tzinfo is not None else t


def reader_date(label, freq="D", *, year=False):
    """A period as a reader writes it: ``Jan 29``, ``Jan 29, 13:00``, ``Jan 2020``.

    Parameters
    ----------
    label : str
        A period label (:func:`glipca.counting.periods.period_label`).
    freq : str
        The periods' length: months read ``Jan 2020``.
    year : bool, default=False
        Add the year to a day.
    """
    t = wall_time(label)
    month = _MONTHS[t.month - 1]
    if str(freq).split("-")[0] in ("MS", "M", "ME"):
        return f"{month} {t.year}"
    text = f"{month} {t.day}" + (f", {t.year}" if year else "")
    if (t.hour, t.minute) != (0, 0):
        text += f", {t.hour:02d}:{t.minute:02d}"
    return text


def story_shares(series, words):
    """A story's share of posts per period: the largest share of one of its words."""
    present = [w for w in words if w in series.columns]
    if not present:
        return np.zeros(len(series.index))
    return series[present].to_numpy(dtype=float).max(axis=1)


def _pooled(values, n=SPARK_POINTS):
    """At most ``n`` values: the largest of each run, so that no peak is lost."""
    values = np.asarray(values, dtype=float)
    if len(values) <= n:
        return values
    edges = np.linspace(0, len(values), n + 1).astype(int)
    return np.array([values[a:b].max() for a, b in zip(edges[:-1], edges[1:])])


def _post(p):
    ident = "" if p.get("id") is None else str(p["id"])
    # Only web addresses become links: a "javascript:" id stays text.
    url = next((str(u) for u in (p.get("url"), ident)
                if u is not None and str(u).lower().startswith(("https://", "http://"))), None)
    return PostView(id=ident, time=str(p.get("time") or ""), text=str(p.get("text") or ""),
                    url=url)


def _told(story, doc, series, posts, figures, n_resamples, related, story_of):
    """The view of one of the document's stories: its facets are its clusters;
    ``story_of`` maps each cluster to its story."""
    facets = [doc["clusters"][cid] for cid in story["clusters"]]
    kept = [p for cid in story["clusters"] for p in (posts[cid] if posts and cid < len(posts) else [])]
    seen, best = set(), []
    for p in sorted(kept, key=lambda p: -float(p.get("score") or 0)):
        if (str(p.get("id")), p.get("text")) not in seen:
            seen.add((str(p.get("id")), p.get("text")))
            best.append(p)
    rising = next(({"rising_since": c.get("rising_since"), "growth_rate": c.get("growth_rate")}
                   for c in facets if c.get("emerging")), None)
    if story.get("emerging") and rising is None:
        rising = {"rising_since": None, "growth_rate": None}
    trend = [str(w) for w in story["words"][:story.get("n_trend_words", len(story["words"]))]]
    shown = [w for w in trend if w in series.columns]
    near = {story_of[r] for cid in story["clusters"] for r in related.get(cid, ()) if r in story_of}
    return StoryView(
        id=int(story["id"]), label=str(story["label"]), peak=str(story["peak"]),
        start=str(story.get("start") or story["peak"]), end=str(story.get("end") or story["peak"]),
        facets=tuple(_facet(c, figures) for c in facets), words=tuple(map(str, story["words"])),
        posts=tuple(_post(p) for p in best[:STORY_POSTS]), n_posts=story.get("n_posts"),
        share=tuple(float(x) for x in story_shares(series, shown)) if shown else
        tuple(0.0 for _ in series.index),
        coherence=story.get("coherence"), stability=story.get("stability"),
        n_resamples=None if story.get("stability") is None else n_resamples,
        emerging=rising, edge=any(bool(c.get("edge")) for c in facets),
        related=tuple(sorted(near - {int(story["id"])})),
    )


def _facet(c, figures):
    name = cluster_file(c["id"])
    return FacetView(
        id=int(c["id"]), label=cluster_name(c), words=tuple(str(w) for w in c["words"]),
        loadings=tuple(c.get("loadings") or ()), eigenvalue=c.get("eigenvalue"),
        edges=c.get("edges"), peak_frequency=c.get("peak_frequency"),
        figure=name if name in figures else None,
    )


def _related(doc):
    """Cluster id -> the other clusters of its group of related clusters."""
    hierarchy = doc.get("hierarchy") or {}
    out = {}
    for group in hierarchy.get("groups") or []:
        if len(group) >= 2:
            for cid in group:
                out[int(cid)] = tuple(int(m) for m in group if m != cid)
    return out


def story_views(doc, series, posts=None, *, figures=()):
    """The stories of a ``clusters.json`` document, in time order.

    The document's ``stories`` (clusters told by shared posts, and one-word
    stories); without them (the series-only method) each cluster is a story
    of one facet.

    Parameters
    ----------
    doc : dict
        The ``clusters.json`` document.
    series : DataFrame
        Periods × candidate words relative frequencies.
    posts : list of list of dict, optional
        Representative posts per cluster (``posts.json``).
    figures : collection of str
        Names of the figure files there are (``cluster_NNN.png``).

    Returns
    -------
    list of StoryView
        By peak, then id.
    """
    figures = set(figures)
    boot = (doc.get("params") or {}).get("stability") or {}
    n_resamples = (doc.get("summary") or {}).get("stability_resamples") or boot.get("n_resamples")
    related = _related(doc)
    if doc.get("stories"):
        story_of = {cid: s["id"] for s in doc["stories"] for cid in s["clusters"]}
        return [_told(s, doc, series, posts, figures, n_resamples, related, story_of)
                for s in sorted(doc["stories"], key=lambda s: (str(s["peak"]), s["id"]))]
    stories = []
    for c in sorted(doc["clusters"], key=lambda c: (str(c["peak"]), c["id"])):
        cid = int(c["id"])
        kept = posts[cid] if posts and 0 <= cid < len(posts) else []
        rising = ({"rising_since": c.get("rising_since"), "growth_rate": c.get("growth_rate")}
                  if c.get("emerging") else None)
        stories.append(StoryView(
            id=cid, label=cluster_name(c), peak=str(c["peak"]),
            start=str(c.get("start") or c["peak"]), end=str(c.get("end") or c["peak"]),
            facets=(_facet(c, figures),), words=tuple(str(w) for w in c["words"]),
            posts=tuple(_post(p) for p in kept[:STORY_POSTS]), n_posts=c.get("n_posts_cooccur"),
            share=tuple(float(x) for x in story_shares(series, [str(w) for w in c["words"]])),
            coherence=c.get("coherence"), stability=c.get("stability"),
            n_resamples=None if c.get("stability") is None else n_resamples,
            emerging=rising, edge=bool(c.get("edge")), related=related.get(cid, ()),
        ))
    return stories


def sparkline_values(story):
    """The story's share of posts, pooled to at most :data:`SPARK_POINTS` values."""
    return _pooled(story.share)
