"""GLIPCA: graphical-lasso-guided iterative principal component analysis.

Harakawa, Ito & Iwahashi, Sci. Rep. 12:5709 (2022). Modules, one job each:

- :mod:`.spectral`: leading eigenpairs, the Marchenko-Pastur noise bound
  :func:`mp_bound`, ranking by loading;
- :mod:`.iterative`: the iterative eigen-step :func:`iterative_pca`;
- :mod:`.split`: splitting a group where words are only indirectly correlated;
- :mod:`.shared`: words shared by two clusters;
- :mod:`.estimator`: the :class:`GLIPCA` estimator and :class:`TrendCluster`.
"""

from .estimator import GLIPCA, TrendCluster
from .iterative import iterative_pca
from .spectral import mp_bound

__all__ = ["GLIPCA", "TrendCluster", "iterative_pca", "mp_bound"]
