"""Posts drawn for a planted word out of the posts of a day still free."""

from __future__ import annotations

import numpy as np

__all__ = ["free_posts"]


def free_posts(rng, free, day, n):
    """Draw ``n`` posts of ``day`` from ``free`` (a list of arrays per day), without replacement."""
    pool = free[day]
    n = min(n, pool.size)
    pick = rng.choice(pool.size, n, replace=False)
    free[day] = np.delete(pool, pick)
    return pool[pick]
