"""The graph stage: the direct-correlation graph among the trends.

:func:`direct_graph` estimates a sparse precision matrix of the candidate
words' series with the graphical lasso (the penalty chosen as
docs/method.md, section 4, says, or given) and returns a :class:`Graph`,
whose partial correlations are the direct links GLIPCA reads clusters from.
A notebook can estimate the graph at another ``alpha`` without recounting
or retesting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..progress import progress_bar
from .cluster.estimator import GraphEstimate, estimate_graph, partial_graph
from .cluster.spectral import standardized_correlation
from .options import ModelOptions
from .trends import Trends

__all__ = ["Graph", "direct_graph"]


@dataclass(frozen=True)
class Graph:
    """The graphical lasso of the candidate words' series.

    Attributes
    ----------
    trends : Trends
    estimate : GraphEstimate
        Penalty, how it was chosen, covariance, precision and partial
        correlations (words in the order of ``trends.candidates``).
    correlation : ndarray
        Correlation matrix of the series.
    options : ModelOptions
        The options it was made with.
    """

    trends: Trends
    estimate: GraphEstimate
    correlation: np.ndarray
    options: ModelOptions

    @property
    def alpha(self):
        return self.estimate.alpha

    def to_networkx(self):
        """Words as nodes, an edge for each non-zero partial correlation (``weight``)."""
        return partial_graph(self.trends.words, self.estimate.partial_correlation)


def direct_graph(trends, options=None, *, progress=False):
    """The graphical lasso of ``trends``' candidate words.

    Parameters
    ----------
    trends : Trends
    options : ModelOptions, optional
        ``alpha``, and GLIPCA's ``tol`` and ``max_iter``.
    progress : bool, default False
        Show the step on a progress bar (:mod:`glipca.progress`).

    Returns
    -------
    Graph
    """
    options = options if options is not None else ModelOptions()
    estimator = options.make_glipca()
    # The estimator's own input checks, so that the graph is that of the
    # very values GLIPCA clusters.
    values, _, _ = estimator._check_series(trends.candidates)
    _, corr = standardized_correlation(values)
    desc = "model: penalty" if isinstance(options.alpha, str) else "model: graph"
    with progress_bar(progress, desc=desc, total=1) as bar:
        estimate = estimate_graph(corr, values.shape[0], options.alpha, tol=estimator.tol,
                                  max_iter=estimator.max_iter)
        bar.update()
    return Graph(trends, estimate, corr, options)
