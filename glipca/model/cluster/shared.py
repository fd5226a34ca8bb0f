"""Shared words: cluster members that also follow another cluster.

A step of GLIPCA (Harakawa, Ito & Iwahashi, Sci. Rep. 12:5709, 2022): a word
used for two events describes neither on its own and is taken out.
"""

import numpy as np

__all__ = ["shared_words"]


def shared_words(z, clusters, threshold, siblings=None):
    """Cluster members that still follow another cluster once their own is known.

    A word used for two events moves with both. For each member, take its
    cluster's signal without it (the mean of the other members' standardised
    series) and each other cluster's signal; when the member's partial
    correlation with another cluster's signal, given its own cluster's,
    reaches ``threshold``, the member describes neither event on its own and
    is taken out. Clusters with equal ``siblings`` labels (parts of one
    proposal, told apart by their posts) are not compared.
    """
    if len(clusters) < 2:
        return set()
    z = z - z.mean(axis=0)
    signals = np.column_stack([z[:, members].mean(axis=1) for members, _, _ in clusters])
    ss = (signals**2).sum(axis=0)
    shared = set()
    for c, (members, _, _) in enumerate(clusters):
        k = members.size
        if k < 2:
            continue
        x = z[:, members]
        own = (x.sum(axis=1, keepdims=True) - x) / (k - 1)
        # Partial correlations given one centred control, in closed form for
        # every member and every signal at once.
        oo = (own**2).sum(axis=0)
        xo = (x * own).sum(axis=0) / oo
        so = (own.T @ signals) / oo[:, None]
        xs = x.T @ signals
        num = xs - xo[:, None] * so * oo[:, None]
        var_x = (x**2).sum(axis=0) - xo**2 * oo
        var_s = ss[None, :] - so**2 * oo[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            partial = num / np.sqrt(var_x[:, None] * var_s)
        partial[:, c] = -np.inf
        if siblings is not None:
            partial[:, [d for d, s in enumerate(siblings) if s == siblings[c]]] = -np.inf
        partial = np.nan_to_num(partial, nan=-np.inf)
        for i, value in zip(members, partial.max(axis=1)):
            if value >= threshold:
                shared.add(int(i))
    return shared
