"""What the HTML report shows, as plain values built once.

:func:`report_page` turns what a results folder holds (the ``clusters.json``
document, the series, the representative posts, ``run.json`` and the names
and sizes of the figure files) into a :class:`ReportPage`; the renderer
(:mod:`glipca.report.html`) only formats it. The page never reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..counting.periods import period_label
from .stories import StoryView, story_views

__all__ = ["ReportPage", "report_page"]


@dataclass(frozen=True)
class ReportPage:
    """Everything the report shows.

    Attributes
    ----------
    title : str
        What was analysed: the input files, the count store, else the folder.
    folder : str
        The results folder's name.
    doc : dict
        The ``clusters.json`` document (summary, parameters, changes).
    run : dict or None
        ``run.json``.
    stories : tuple of StoryView
        In time order.
    periods : tuple of str
        Period labels.
    total : tuple of float
        Per period, the stories' shares of posts above their usual level, summed.
    figures : dict
        File name -> (width, height) in pixels, of the figure files beside the page.
    """

    title: str
    folder: str
    doc: dict
    run: dict | None
    stories: tuple
    periods: tuple
    total: tuple
    figures: dict = field(default_factory=dict)

    @property
    def lang(self):
        return (self.doc.get("params") or {}).get("lang") or "und"

    @property
    def freq(self):
        return (self.doc.get("params") or {}).get("freq") or "D"


def title_of(run, folder_name):
    """The report's title: the input files, else the results folder's name."""
    inputs = (run or {}).get("inputs") or []
    if (run or {}).get("store"):
        return f"count store {run['store']}"
    if not inputs:
        return folder_name
    names = [i["name"] for i in inputs]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more files" if len(names) > 3 else "")


def _excess(story: StoryView):
    """A story's share of posts above its usual level (its median), never below 0."""
    share = np.asarray(story.share, dtype=float)
    return np.clip(share - np.median(share), 0, None) if share.size else share


def report_page(doc, series, *, posts=None, run=None, folder="glipca", figures=None):
    """The report's content, from what a results folder holds.

    Parameters
    ----------
    doc : dict
        The ``clusters.json`` document.
    series : DataFrame
        Periods × candidate words relative frequencies.
    posts : list of list of dict, optional
        Representative posts per cluster.
    run : dict, optional
        ``run.json``.
    folder : str
        The results folder's name.
    figures : dict, optional
        File name -> (width, height) of the figure files there are; without
        it the page shows no figure.

    Returns
    -------
    ReportPage
    """
    figures = dict(figures or {})
    stories = story_views(doc, series, posts, figures=figures)
    total = np.zeros(len(series.index))
    for story in stories:
        total = total + _excess(story)
    return ReportPage(
        title=title_of(run, folder), folder=folder, doc=doc, run=run, stories=tuple(stories),
        periods=tuple(period_label(t) for t in series.index),
        total=tuple(float(x) for x in total), figures=figures,
    )
