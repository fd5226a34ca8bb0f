"""The stories stage: what the posts say of each cluster.

:func:`tell_stories` reads, from the posts the counting pass kept, each
cluster's representative posts (:mod:`glipca.model.representative`) and,
with the co-occurrence method, its label, coherence and the posts that
hold two of its words (:mod:`glipca.model.labels`). Nothing is read or
tokenised again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .clusters import Clusters
from .labels import cluster_stories
from .options import ModelOptions
from .representative import representative_posts

__all__ = ["Stories", "tell_stories"]


@dataclass(frozen=True)
class Stories:
    """The clusters told by their posts.

    Attributes
    ----------
    clusters : Clusters
    posts : list of list of RepresentativePost, or None
        Representative posts per cluster, best first (None when not kept).
    described : list of dict, or None
        Per cluster: ``label``, ``coherence`` and ``n_posts_cooccur``
        (None for the series-only method).
    options : ModelOptions
        The options it was made with.
    """

    clusters: Clusters
    posts: Optional[list]
    described: Optional[list]
    options: ModelOptions


def tell_stories(clusters, options=None, *, progress=False):
    """Representative posts, labels and coherence of each cluster.

    Parameters
    ----------
    clusters : Clusters
    options : ModelOptions, optional
        ``n_posts`` and ``posts_window``.
    progress : bool, default False
        Show the clusters done on a progress bar (:mod:`glipca.progress`).

    Returns
    -------
    Stories
    """
    options = options if options is not None else ModelOptions()
    found = clusters.model.clusters_
    series = clusters.trends.series
    posts = None
    if options.n_posts and found:
        # From the words the counting pass kept: only the chosen posts'
        # texts are looked up.
        posts = representative_posts(series.posts, series.counts, found, n=options.n_posts,
                                     window=options.posts_window)
    described = None
    if clusters.windows is not None:
        described = cluster_stories(clusters.windows, found, clusters.series.index,
                                    tokenizer=series.counted.options.make_tokenizer(),
                                    window=options.posts_window, progress=progress)
    return Stories(clusters, posts, described, options)
