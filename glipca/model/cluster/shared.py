"""Shared words: cluster members that also follow another cluster.

A step of GLIPCA (Harakawa, Ito & Iwahashi, Sci. Rep. 12:5709, 2022): a word
used for two events describes neither on its own and is taken out.
"""

import numpy as np

__all__ = ["shared_words"]


def shared_words(corr, clusters, threshold, siblings=None):
    """Cluster members that still follow another cluster once their own is known.

    A word used for two events moves with both. For each member, take its
    cluster's signal without it (the mean of the other members' standardised
    series) and each other cluster's signal; when the member's partial
    correlation with another cluster's signal, given its own cluster's,
    reaches ``threshold``, the member describes neither event on its own and
    is taken out. Clusters with equal ``siblings`` labels (parts of one
    proposal, told apart by their posts) are not compared.

    Every series here is a sum of standardised word series, so every inner
    product between them is a sum of entries of ``corr``: the cost does not
    depend on the number of periods (with the series themselves, hourly
    periods made this step cost seconds per fit).

    Parameters
    ----------
    corr : ndarray of shape (p, p)
        Correlation matrix of the standardised series (any positive multiple
        of their Gram matrix gives the same partial correlations).
    clusters : list of tuple
        ``(members, loadings, eigenvalue)`` per cluster, as
        :func:`.iterative_pca` returns them.
    threshold : float
        Partial correlation from which a member counts as shared.
    siblings : list, optional
        A label per cluster; clusters with equal labels are not compared.

    Returns
    -------
    set of int
        Column numbers of the shared words.
    """
    if len(clusters) < 2:
        return set()
    corr = np.asarray(corr, dtype=float)
    # inner[i, d]: word i with cluster d's signal (the mean of its members);
    # power[d]: cluster d's signal with itself.
    inner = np.column_stack([corr[:, members].mean(axis=1) for members, _, _ in clusters])
    power = np.array([inner[members, d].mean() for d, (members, _, _) in enumerate(clusters)])
    shared = set()
    for c, (members, _, _) in enumerate(clusters):
        k = members.size
        if k < 2:
            continue
        block = corr[np.ix_(members, members)]
        row = block.sum(axis=1)
        diag = np.diag(block)
        xs = inner[members]
        # own_i, the mean of the other members: its inner products with
        # itself, with member i and with each signal.
        oo = (row.sum() - 2.0 * row + diag) / (k - 1) ** 2
        xo = (row - diag) / (k - 1) / oo
        so = (xs.sum(axis=0)[None, :] - xs) / (k - 1) / oo[:, None]
        # Partial correlations given one control, for every member and every
        # signal at once.
        num = xs - xo[:, None] * so * oo[:, None]
        var_x = diag - xo**2 * oo
        var_s = power[None, :] - so**2 * oo[:, None]
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
