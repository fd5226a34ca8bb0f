"""Graphical lasso: objective, exact block screening, the QUIC-style Newton
solver, and the choice of penalty.

Modules, one job each:

- :mod:`.objective`: the objective, its certified duality gap (the dual of
  Banerjee, El Ghaoui & d'Aspremont, JMLR 2008) and input checks;
- :mod:`.screening`: exact block screening (Witten, Friedman & Simon 2011;
  Mazumder & Hastie 2012) and the largest block at every penalty;
- :mod:`.newton`: the proximal Newton solver of one block (QUIC, Hsieh et
  al., JMLR 2014);
- :mod:`.solver`: :func:`graphical_lasso`, screening then solving each block;
- :mod:`.selection`: the penalty by (E)BIC (Foygel & Drton 2010) or by block
  size floored at the chance-link bound (Banerjee et al. 2008, Theorem 2).
"""

from .objective import (
    GraphicalLassoConvergenceWarning,
    dual_gap,
    objective,
    partial_correlation,
)
from .screening import block_threshold, screening_blocks
from .selection import GraphicalLassoEBIC, alpha_path, noise_alpha, select_alpha
from .solver import graphical_lasso, solve_blocks

__all__ = [
    "GraphicalLassoConvergenceWarning",
    "GraphicalLassoEBIC",
    "alpha_path",
    "block_threshold",
    "dual_gap",
    "noise_alpha",
    "graphical_lasso",
    "objective",
    "partial_correlation",
    "screening_blocks",
    "select_alpha",
    "solve_blocks",
]
