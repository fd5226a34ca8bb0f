"""Why there is no cluster: the step that set each strong candidate aside.

When words pass the single-peak test but no cluster comes out, a reader
needs to know which step stopped them, and by how much.  The steps are
taken in the order the analysis takes them:

1. ``graph``: the graphical lasso links a word to no other candidate.  On
   standardised series a word is isolated exactly when its correlation with
   every other candidate is at most the penalty (Witten, Friedman & Simon
   2011, the screening rule of :mod:`glipca.model.glasso.screening`): the
   figure is its largest correlation, beside the penalty.
2. ``cooccurrence``: the word is linked, but fewer distinct posts near its
   peak hold it with its closest partner than a story needs
   (:class:`glipca.model.cooccurrence.CooccurrenceSplit`'s ``min_posts``).
3. ``shared``: the word links two clusters, so is listed in neither.
4. ``clustering``: linked and told in posts, yet GLIPCA's eigen-steps left
   its group below the smallest cluster (``min_cluster_size``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["set_aside"]


def set_aside(peak_tests, model, index, *, posts=None, test=None, n=5):
    """The strongest candidates in no cluster, and the step that set each aside.

    Parameters
    ----------
    peak_tests : DataFrame
        The single-peak test's result (``is_trend``, ``peak``, ``z``).
    model : GLIPCA
        Fitted on the candidates.
    index : DatetimeIndex
        The periods of the series (positions of the peaks in ``posts``).
    posts : PostWindows, optional
        The candidates' posts by period; without them (series-only method)
        the co-occurrence step is not looked at.
    test : CooccurrenceSplit, optional
        The co-occurrence test the posts were held to.
    n : int, default 5
        Candidates to explain, strongest peak (``z``) first.

    Returns
    -------
    list of dict
        ``word``, ``peak`` (ISO date), ``z``, ``step`` (``graph``,
        ``cooccurrence``, ``shared`` or ``clustering``), ``partner`` (the
        closest other word, or None), ``figure`` and ``threshold`` (the
        number that decided, and the bar it missed) and ``reason`` (one
        line).
    """
    words = list(model.words_)
    clustered = {w for c in model.clusters_ for w in c.words}
    tested = peak_tests.loc[[w for w in words if w not in clustered]]
    order = tested.sort_values(["z"], ascending=False, kind="stable").index[:n]
    position = {w: i for i, w in enumerate(words)}
    return [_why(w, position, model, peak_tests.loc[w], index, posts, test) for w in order]


def _why(word, position, model, row, index, posts, test):
    i = position[word]
    words = model.words_
    peak = row["peak"]
    out = {"word": word, "peak": str(getattr(peak, "date", lambda: peak)()),
           "z": float(row["z"])}
    corr = np.abs(np.asarray(model.correlation_[i], dtype=float)).copy()
    corr[i] = -np.inf
    partial = np.abs(np.asarray(model.partial_correlation_[i], dtype=float)).copy()
    partial[i] = 0.0
    if not np.any(partial > 0):
        j = int(np.argmax(corr))
        return {**out, "step": "graph", "partner": words[j], "figure": float(corr[j]),
                "threshold": float(model.alpha_),
                "reason": f"no direct link: its largest correlation with another candidate "
                          f"({words[j]}, {corr[j]:.2f}) is under the graphical lasso's penalty "
                          f"(alpha {model.alpha_:.2f})"}
    j = int(np.argmax(partial))
    out["partner"] = words[j]
    linked = f"linked to {words[j]} (partial correlation {partial[j]:.2f})"
    if word in model.shared_words_:
        return {**out, "step": "shared", "figure": float(partial[j]),
                "threshold": float(model.shared_threshold),
                "reason": f"{linked}, but it links two clusters, so is listed in neither"}
    if posts is not None and test is not None and words[j] in posts.column:
        at = int(index.get_loc(peak))
        shared = int(posts.n_distinct([word, words[j]], at, test.window))
        if shared < test.min_posts:
            return {**out, "step": "cooccurrence", "figure": shared,
                    "threshold": int(test.min_posts),
                    "reason": f"{linked}, but only {shared} distinct posts within {test.window} "
                              f"periods of its peak hold both (a story needs {test.min_posts})"}
    return {**out, "step": "clustering", "figure": float(partial[j]),
            "threshold": int(model.min_cluster_size),
            "reason": f"{linked}, but GLIPCA's eigen-steps left its group under "
                      f"{model.min_cluster_size} words"}
