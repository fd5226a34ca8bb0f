"""The analysis is a chain of stages: any stage's value can be resumed with other options."""

import dataclasses

import pytest

from glipca.analysis import Stages
from glipca.counting.options import count_options
from glipca.counting.stage import count_posts
from glipca.datasets import make_trend_corpus
from glipca.model.clusters import find_clusters
from glipca.model.graph import direct_graph
from glipca.model.options import ModelOptions
from glipca.model.stories import tell_stories
from glipca.model.trends import find_trends
from glipca.model.word_series import word_series
from glipca.pipeline import resume, run_analysis
from glipca.report.document import clusters_document
from glipca.report.folder import Results


@pytest.fixture(scope="module")
def corpus():
    return make_trend_corpus(lang="en", n_trends=5, n_close_pairs=1, n_background=60,
                             posts_per_day=(300, 500), seed=4)


@pytest.fixture(scope="module")
def analysed(corpus):
    return run_analysis(corpus.posts, lang="en", n_resamples=4, jobs=1)


def _doc(analysis):
    return clusters_document(analysis)


def test_the_stages_called_one_by_one_are_the_whole_analysis(corpus, analysed):
    model = ModelOptions(n_resamples=4)
    counted = count_posts(corpus.posts, count_options(lang="en"), jobs=1)
    series = word_series(counted, model)
    trends = find_trends(series, model)
    graph = direct_graph(trends, model)
    clusters = find_clusters(graph, model)
    stories = tell_stories(clusters, model, jobs=1)
    by_hand = resume(stories)
    assert _doc(by_hand) == _doc(analysed)
    assert Stages.of(stories) == by_hand.stages
    assert [type(v).__name__ for v in by_hand.stages] == [
        "PreparedCounts", "Series", "Trends", "Graph", "Clusters", "Stories"]


@pytest.mark.parametrize("stage", ["counts", "series", "trends"])
def test_resuming_with_another_alpha_equals_a_full_run_with_it(corpus, analysed, stage):
    alpha = round(analysed.model.alpha_ * 1.5, 3)
    full = run_analysis(corpus.posts, lang="en", n_resamples=4, jobs=1, alpha=alpha)
    value = getattr(analysed.stages, stage)
    again = resume(value, value.options.replace(alpha=alpha) if stage != "counts"
                   else ModelOptions(n_resamples=4, alpha=alpha), jobs=1)
    assert _doc(again) == _doc(full)
    assert Results.from_analysis(again).equals(Results.from_analysis(full))
    assert again.model.alpha_ == alpha != analysed.model.alpha_
    # The earlier stages' values are reused, not recomputed.
    if stage != "counts":
        assert again.stages.series is analysed.stages.series


def test_resuming_a_later_stage_reuses_the_values_before_it(analysed):
    options = analysed.stages.stories.options.replace(n_posts=2)
    again = resume(analysed.stages.clusters, options)
    assert again.stages.clusters is analysed.stages.clusters
    assert all(len(p) <= 2 for p in again.posts)
    assert again.params["posts"]["n"] == 2 and analysed.params["posts"]["n"] == 5


def test_stage_values_are_immutable(analysed):
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysed.stages.series.window = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysed.stages.graph.options.alpha = 0.1


def test_counts_made_already_take_only_a_new_window(analysed):
    counted = analysed.stages.counts
    with pytest.raises(ValueError, match="counted already"):
        count_posts(counted, count_options(lang="ja"))
    moved = count_posts(counted, count_options(since="2020-03-20"))
    assert moved.window == ("2020-03-20", None, None) and moved.counts is counted.counts


def test_resume_refuses_what_is_not_a_stage_value():
    with pytest.raises(TypeError, match="stage's value"):
        resume([1, 2, 3])


def test_a_notebook_can_stop_after_any_stage(analysed):
    series = analysed.stages.series
    options = series.options.replace(alpha=round(analysed.model.alpha_ * 1.5, 3))
    trends = resume(series, options, until="trends")
    assert type(trends).__name__ == "Trends" and trends.series is series
    clusters = resume(trends, options, until="clusters", jobs=1)
    assert type(clusters).__name__ == "Clusters" and clusters.graph.trends is trends
    assert clusters.model.alpha_ == options.alpha
    whole = resume(clusters, options)
    assert whole.stages.clusters is clusters
    with pytest.raises(ValueError, match="comes after"):
        resume(clusters, options, until="trends")
    with pytest.raises(ValueError, match="until must be"):
        resume(series, options, until="model")


def test_a_series_runs_each_peak_test_once(analysed):
    series = analysed.stages.series
    options = series.options.replace(alpha=round(analysed.model.alpha_ * 1.5, 3))
    first, again = resume(series, options, until="trends"), resume(series, options, until="trends")
    assert again.tests is first.tests and again.tested is first.tested
    # Another test is another question.
    other = resume(series, options.replace(min_z=8.0), until="trends")
    assert other.tests is not first.tests
    assert other.tests["is_trend"].sum() <= first.tests["is_trend"].sum()
