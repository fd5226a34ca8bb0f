"""Synthetic data with a planted truth.

* :func:`make_trend_corpus`: posts (id, timestamp, text) in which single-peak
  trends, distractor words and background words are planted, to score every
  stage of the pipeline against the truth (:mod:`glipca.evaluation`).
* :func:`make_trend_series`: word counts per period from the same model of
  trends, without posts, for tests and benchmarks of the later stages.
* :func:`write_word_flood`: posts of random words that never repeat, a
  vocabulary flood for tests and benchmarks of memory.

Word lists are package data (``words/*.txt``), see :mod:`.text`.
"""

from .corpus import PlantedCorpus, make_trend_corpus
from .flood import write_word_flood
from .trend_series import PlantedSeries, make_trend_series

__all__ = ["PlantedCorpus", "make_trend_corpus", "PlantedSeries", "make_trend_series",
           "write_word_flood"]
