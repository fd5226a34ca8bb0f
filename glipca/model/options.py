"""How word counts become trend clusters, declared once: :class:`ModelOptions`.

One frozen dataclass for the model's stages (series, trends, graph,
clusters, stories), validated when made, so that a bad value fails before
any counting with a message naming the option. Each stage reads the fields
it needs; :meth:`ModelOptions.replace` makes the options of a rerun.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Optional

from .cluster import GLIPCA
from .cooccurrence import CooccurrenceSplit
from .series import SinglePeakTest, count_floor

__all__ = ["ModelOptions", "model_options", "MODEL_NAMES", "ALIASES"]

#: The CLI's spellings of model options, accepted in Python too.
ALIASES = {"min_days": "min_periods", "resamples": "n_resamples", "posts": "n_posts"}


@dataclass(frozen=True)
class ModelOptions:
    """Options of the model's stages.

    Parameters
    ----------
    min_count, min_periods, max_words : int, default None, 3, 2000
        Rare-word filter of the series (:func:`glipca.model.series.relative_frequency`):
        the ``max_words`` most frequent words are always tested; ``min_count``
        None: 20, or fewer for small data (:func:`glipca.model.series.count_floor`).
    min_posts : int, optional
        Posts a period needs to be observed; default 20, or fewer for small
        data (:func:`glipca.model.periods.posts_floor`).
    min_peak_count : int or None, default 20
        Candidates by burst: every other word with at least this many posts
        in one period is tested too, when it passes the test's vectorised
        pre-screen (:func:`glipca.model.series.burst_words`). None: only the
        most frequent words. The series-only method (``cooccurrence=False``)
        keeps the paper's vocabulary, chosen by volume alone.
    max_trends : int, default 400
        Graph-size limit: when burst words are tested, at most this many
        words that pass the test enter the graph, the strongest first
        (:func:`glipca.model.trends.strongest`).
    peak_test : callable, optional
        Target-trend test; default :class:`~glipca.model.series.SinglePeakTest`.
    alpha : float or "auto", default "auto"
        Graphical lasso penalty.
    glipca : tuple of (name, value), default ()
        Other parameters of :class:`~glipca.model.cluster.GLIPCA`, frozen.
    cooccurrence : bool or CooccurrenceSplit, default True
        Keep in a cluster only the words that share posts near its peak
        (:class:`~glipca.model.cooccurrence.CooccurrenceSplit`); False: the
        series alone decide, as in the paper.
    n_resamples : int, default 20
        Most bootstrap resamples for the stability scores; 0 skips them.
    stability_tolerance : float, default 0.05
        The resamples stop once every score is settled to ± this.
    n_posts : int, default 5
        Representative posts kept per cluster; 0 skips them.
    posts_window : int, default 3
        Labels, coherence and representative posts read the posts at most
        this many periods from the peak.
    story_threshold : float, default 0.1
        With the co-occurrence method, clusters close in time are facets of
        one story while the NPMI of their posts is at least this
        (:mod:`glipca.model.story_groups`; docs/method.md, section 8).
    story_words : int, default 5
        Descriptive words listed for each story beside its trend words
        (:mod:`glipca.model.descriptive`); 0 lists none.
    """

    min_count: Optional[int] = None
    min_periods: int = 3
    max_words: int = 2000
    min_posts: Optional[int] = None
    min_peak_count: object = 20
    max_trends: int = 400
    peak_test: object = field(default_factory=SinglePeakTest)
    alpha: object = "auto"
    glipca: tuple = ()
    cooccurrence: object = True
    n_resamples: int = 20
    stability_tolerance: float = 0.05
    n_posts: int = 5
    posts_window: int = 3
    story_threshold: float = 0.1
    story_words: int = 5

    def __post_init__(self):
        for name, low in (("min_count", 1), ("min_periods", 1), ("max_words", 2),
                          ("min_posts", 1), ("max_trends", 2), ("n_resamples", 0),
                          ("n_posts", 0), ("posts_window", 0), ("story_words", 0)):
            value = getattr(self, name)
            if value is None and name in ("min_count", "min_posts"):
                continue
            if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        if self.min_peak_count is not None and (
                isinstance(self.min_peak_count, bool) or not isinstance(self.min_peak_count, Integral)
                or self.min_peak_count < 1):
            raise ValueError(f"min_peak_count must be an integer >= 1 or None, "
                             f"got {self.min_peak_count!r}")
        if not (isinstance(self.stability_tolerance, Real) and self.stability_tolerance > 0):
            raise ValueError(f"stability_tolerance must be a positive number, "
                             f"got {self.stability_tolerance!r}")
        if not (isinstance(self.story_threshold, Real) and -1 <= self.story_threshold <= 1):
            raise ValueError(f"story_threshold must be a number in [-1, 1], "
                             f"got {self.story_threshold!r}")
        if self.peak_test is None:
            object.__setattr__(self, "peak_test", SinglePeakTest())
        elif not callable(self.peak_test):
            raise ValueError(f"peak_test must be callable, got {self.peak_test!r}")
        if not (isinstance(self.cooccurrence, (bool, CooccurrenceSplit))):
            raise ValueError("cooccurrence must be True, False or a CooccurrenceSplit, "
                             f"got {self.cooccurrence!r}")
        pairs = self.glipca.items() if isinstance(self.glipca, dict) else self.glipca
        object.__setattr__(self, "glipca", tuple(sorted((str(k), v) for k, v in pairs)))
        # GLIPCA's own rules check the penalty and its parameters.
        self.make_glipca()._validate_params()

    @property
    def glipca_params(self) -> dict:
        """Keyword arguments of :class:`~glipca.model.cluster.GLIPCA` but ``alpha``."""
        return dict(self.glipca)

    def make_glipca(self, alpha=None) -> GLIPCA:
        """An unfitted GLIPCA with these options (``alpha`` overrides)."""
        try:
            return GLIPCA(alpha=self.alpha if alpha is None else alpha, **self.glipca_params)
        except TypeError as exc:  # an unknown keyword
            raise TypeError(f"GLIPCA: {exc}") from None

    @property
    def least_count(self) -> int:
        """The fewest posts an analysed word is in, whatever the posts: counting
        may leave rarer words out (``min_count``, or the lowest floor)."""
        return count_floor(0, self.min_count)

    @property
    def bursts(self):
        """Whether words beyond the most frequent are tested (``min_peak_count``,
        and only for the co-occurrence method)."""
        return self.min_peak_count is not None and self.cooccurrence is not False

    @property
    def split(self):
        """The co-occurrence test, or None for the series-only method."""
        if self.cooccurrence is False:
            return None
        return CooccurrenceSplit() if self.cooccurrence is True else self.cooccurrence

    def replace(self, **changes) -> "ModelOptions":
        """These options with some changed (by any name :func:`model_options` takes)."""
        return model_options(self, **changes)


_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelOptions))
_GLIPCA_NAMES = frozenset(GLIPCA().get_params()) - {"alpha"}
#: Every keyword :func:`model_options` takes.
MODEL_NAMES = _FIELDS | _GLIPCA_NAMES | frozenset(ALIASES) | {"min_z", "no_cooccurrence"}


def model_options(options=None, **kwargs) -> ModelOptions:
    """:class:`ModelOptions` from keywords, by their Python or CLI names.

    Parameters
    ----------
    options : ModelOptions, optional
        Start from these; keywords replace their values.
    **kwargs
        Fields of :class:`ModelOptions`, parameters of
        :class:`~glipca.model.cluster.GLIPCA`, ``min_z`` (the single-peak
        test's threshold), ``no_cooccurrence``, and the CLI's spellings
        ``min_days``, ``resamples`` and ``posts``.

    Raises
    ------
    TypeError
        For an unknown keyword, or one given twice under two names.
    """
    unknown = sorted(set(kwargs) - MODEL_NAMES)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(unknown)}")
    values = {}
    for name, value in kwargs.items():
        key = ALIASES.get(name, name)
        if name == "no_cooccurrence":
            key, value = "cooccurrence", not value
        elif name == "min_z":
            key, value = "peak_test", SinglePeakTest(min_z=value)
        if key in values:
            raise TypeError(f"option {key} given twice (as {name} and another spelling)")
        values[key] = value
    options = options if options is not None else ModelOptions()
    glipca = {k: values.pop(k) for k in list(values) if k in _GLIPCA_NAMES}
    if glipca:
        values["glipca"] = {**options.glipca_params, **glipca}
    return dataclasses.replace(options, **values) if values else options
