"""The whole analysis as a chain of stages: posts in, stories out.

::

    source ─count_posts─▶ PreparedCounts ─word_series─▶ Series ─find_trends─▶ Trends
        ─direct_graph─▶ Graph ─find_clusters─▶ Clusters ─tell_stories─▶ Stories

Each stage is a function of the value before it and its own options
(:class:`~glipca.counting.options.CountOptions`,
:class:`~glipca.model.options.ModelOptions`); :func:`run_analysis` is the
chain, and :func:`resume` goes on from any value with other options, so
that a notebook changes one stage without recounting. This module only
wires the stages, so that the CLI, notebooks and benchmarks run exactly the
same analysis.
"""

from __future__ import annotations

import dataclasses

from .analysis import AnalysisResult, Stages
from .counting.options import DEFAULT_JOBS, OPTION_NAMES, count_options, default_tz
from .counting.prepare import PreparedCounts
from .counting.stage import count_posts
from .model.clusters import Clusters, find_clusters
from .model.graph import Graph, direct_graph
from .model.options import MODEL_NAMES, ModelOptions, model_options
from .model.stories import Stories, tell_stories
from .model.trends import Trends, find_trends
from .model.word_series import Series, word_series
from .progress import StageTimes
from .report.options import ReportOptions

__all__ = ["AnalysisResult", "Stages", "run_analysis", "resume", "analysis_options",
           "default_tz"]

_REPORT_NAMES = frozenset(f.name for f in dataclasses.fields(ReportOptions))


def analysis_options(options=None, *, model=None, report=None, **kwargs):
    """``(CountOptions, ModelOptions, ReportOptions)`` from options and keywords.

    Every keyword goes to the stage that owns it (counting: ``lang``,
    ``tz``, ``freq``, field names...; model: ``min_count``, ``alpha``,
    ``n_resamples``, GLIPCA's parameters...; report: ``against``), by its
    Python or CLI name, and is checked here, before any work.

    Raises
    ------
    TypeError
        For a keyword no stage takes.
    """
    unknown = sorted(set(kwargs) - OPTION_NAMES - MODEL_NAMES - _REPORT_NAMES)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(unknown)}; see help(glipca.analyse)")
    count = count_options(options, **{k: v for k, v in kwargs.items() if k in OPTION_NAMES})
    model = model_options(model, **{k: v for k, v in kwargs.items() if k in MODEL_NAMES})
    if report is None:
        report = ReportOptions(**{k: v for k, v in kwargs.items() if k in _REPORT_NAMES})
    return count, model, report


def run_analysis(source, options=None, *, model=None, report=None, jobs=DEFAULT_JOBS, cache=None,
                 progress=False, **kwargs):
    """Run the whole analysis on posts.

    Parameters
    ----------
    source : path, list of paths, DataFrame, CountStore or PreparedCounts
        See :func:`glipca.counting.stage.count_posts`.
    options : CountOptions, optional
        How posts are read and counted.
    model : ModelOptions, optional
        How counts become clusters and stories.
    report : ReportOptions, optional
        ``against``: a previous results folder to compare with.
    jobs : int or None, default all cores
        Processes for tokenising and the stability resamples.
    cache : bool or path, optional
        Word-count cache, see :func:`glipca.counting.prepare.prepare_counts`.
    progress : bool, default False
        Progress bars on a terminal (:mod:`glipca.progress`).
    **kwargs
        Options of any stage by name, see :func:`analysis_options`.

    Returns
    -------
    AnalysisResult
    """
    count, model, report = analysis_options(options, model=model, report=report, **kwargs)
    previous = report.previous()  # read first: a bad folder fails before the work
    times = StageTimes()
    with times("counting"):
        counted = count_posts(source, count, jobs=jobs, cache=cache, progress=progress,
                              min_count=model.least_count)
    return resume(counted, model, jobs=jobs, progress=progress, times=times, previous=previous)


#: The stages after the counts, in order: (name, the value it takes, the
#: stage time it adds to, the stage).
STAGES = (
    ("series", PreparedCounts, "series", lambda v, o, jobs, progress: word_series(v, o)),
    ("trends", Series, "series", lambda v, o, jobs, progress: find_trends(v, o)),
    ("graph", Trends, "model", lambda v, o, jobs, progress: direct_graph(v, o, progress=progress)),
    ("clusters", Graph, "model",
     lambda v, o, jobs, progress: find_clusters(v, o, progress=progress)),
    ("stories", Clusters, "stories",
     lambda v, o, jobs, progress: tell_stories(v, o, jobs=jobs, progress=progress)),
)


def resume(value, model=None, *, until=None, jobs=DEFAULT_JOBS, progress=False, times=None,
           previous=None):
    """Run the stages after ``value``: the whole analysis, or up to ``until``.

    Parameters
    ----------
    value : PreparedCounts, Series, Trends, Graph, Clusters or Stories
        The value of any stage, e.g. ``result.stages.series``.
    model : ModelOptions, optional
        Options of the stages still to run, e.g.
        ``result.stages.series.options.replace(alpha=0.3)``.
    until : {"series", "trends", "graph", "clusters", "stories"}, optional
        Stop after this stage and return its value.
    jobs, progress
        As :func:`run_analysis`.
    times : StageTimes, optional
        Where the stages' wall times are added.
    previous : tuple, optional
        See :class:`~glipca.analysis.AnalysisResult`.

    Returns
    -------
    AnalysisResult, or the value of stage ``until``
    """
    names = [name for name, _, _, _ in STAGES]
    if until is not None and until not in names:
        raise ValueError(f"until must be one of {names}, got {until!r}")
    # The value each stage takes, then the last stage's.
    order = [takes for _, takes, _, _ in STAGES] + [Stories]
    at = next((k for k, kind in enumerate(order) if isinstance(value, kind)), None)
    if at is None:
        raise TypeError(f"resume goes on from a stage's value, not a {type(value).__name__}")
    stop = len(STAGES) if until is None else names.index(until) + 1
    if at > stop:
        raise ValueError(f"{type(value).__name__} comes after stage {until!r}")
    model = model if model is not None else ModelOptions()
    times = times if times is not None else StageTimes()
    for _, _, timed, stage in STAGES[at:stop]:
        with times(timed):
            value = stage(value, model, jobs, progress)
    if until is not None:
        return value
    return AnalysisResult(Stages.of(value), timings=times, previous=previous)
