"""The notebook API: TrendResult from an analysis or a folder, save, load, display."""

import filecmp

import networkx as nx
import pandas as pd
import pytest

import glipca
from glipca.report.atomic import OutputExists
from glipca.result import TrendResult, load

from .report_data import PAYLOAD, analysed_corpus, results_folder  # noqa: F401

TABLES = ["clusters.json", "clusters.csv", "series.csv", "series.parquet", "peaks.csv",
          "graph.csv", "posts.json"]


@pytest.fixture(scope="module")
def result(analysed_corpus):  # noqa: F811
    return TrendResult.from_analysis(analysed_corpus[1])


def _same_files(a, b, names):
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)


def test_cli_output_loads_as_the_computed_result(result, results_folder):  # noqa: F811
    # results_folder was written by write_results, as `glipca analyse` writes.
    loaded = load(results_folder)
    assert loaded.equals(result)
    assert loaded.clusters == result.clusters
    pd.testing.assert_frame_equal(loaded.series, result.series, check_exact=True)
    pd.testing.assert_frame_equal(loaded.peaks, result.peaks, check_exact=True)
    assert loaded.params == result.params and loaded.summary == result.summary
    assert loaded.analysis is None and result.analysis is not None


def test_series_are_exact_and_the_rest_is_what_the_files_hold(
        result, analysed_corpus):  # noqa: F811
    analysis = analysed_corpus[1]
    pd.testing.assert_frame_equal(result.series, analysis.series, check_exact=True)
    model = analysis.model
    assert [c.words for c in result] == [tuple(c.words) for c in model.clusters_]
    assert [c.peak for c in result] == [c.peak for c in model.clusters_]
    assert result[0].loadings == pytest.approx(model.clusters_[0].loadings, rel=1e-5)
    assert result.graph.number_of_edges() == model.graph_.number_of_edges()


def test_save_and_load_round_trip_exactly(result, tmp_path):
    out = result.save(tmp_path / "a", plots=False)
    loaded = load(out)
    assert loaded.equals(result)
    assert loaded.clusters == result.clusters
    pd.testing.assert_frame_equal(loaded.series, result.series, check_exact=True)
    assert loaded.params == result.params
    assert loaded.hierarchy.to_dict() == result.hierarchy.to_dict()
    # Saved again, the loaded result writes the same bytes.
    loaded.save(tmp_path / "b", plots=False)
    _same_files(tmp_path / "a", tmp_path / "b", TABLES)


def test_save_writes_the_files_the_cli_writes(result, results_folder, tmp_path):  # noqa: F811
    # Same folder name, so that the report's title is the same too.
    out = result.save(tmp_path / results_folder.name)
    names = sorted(p.name for p in results_folder.iterdir())
    assert sorted(p.name for p in out.iterdir()) == names
    assert "report.html" in names and "cluster_000.png" in names
    _same_files(out, results_folder, names)


def test_save_refuses_to_overwrite_without_force(result, tmp_path):
    out = result.save(tmp_path / "r", plots=False)
    (out / "mine.txt").write_text("keep")
    with pytest.raises(OutputExists, match="pass force=True") as refused:
        result.save(out, plots=False)
    assert "--force" not in str(refused.value)
    assert (out / "mine.txt").exists()
    result.save(out, plots=False, force=True)
    assert not (out / "mine.txt").exists() and (out / "clusters.json").exists()


def test_older_folders_without_parquet_load_from_csv(result, tmp_path):
    out = result.save(tmp_path / "r", plots=False)
    (out / "series.parquet").unlink()
    loaded = load(out)
    assert loaded.clusters == result.clusters and loaded.params == result.params
    assert loaded.series.index.equals(result.series.index)
    assert list(loaded.series.columns) == list(result.series.columns)
    pd.testing.assert_frame_equal(loaded.series, result.series, rtol=1e-5, check_exact=False)


def test_load_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="clusters.json"):
        load(tmp_path)


def test_accessors_return_pandas_and_networkx(result, analysed_corpus):  # noqa: F811
    frame = result.clusters_frame()
    assert list(frame.index) == list(range(len(result)))
    assert {"peak", "start", "end", "size", "stability", "group", "words"} <= set(frame.columns)
    assert frame["size"].tolist() == [c.size for c in result]
    stability = list(analysed_corpus[1].stability)
    assert frame["stability"].tolist() == pytest.approx(stability, abs=1e-6)

    c = result[0]
    series = result.series_of(c)
    assert list(series.columns) == list(c.words) and series.equals(result.series_of(0))
    assert c.peak in series.index
    posts = result.posts_of(0)
    assert list(posts.columns) == ["id", "time", "text", "score", "words"]
    assert len(posts) == len(analysed_corpus[1].posts[0])
    # The payload posts rank first for cluster 0; texts stay as they were.
    assert PAYLOAD in posts["text"].iloc[0]
    assert isinstance(result.graph, nx.Graph)
    assert set(result.graph_of(c).nodes) == set(c.words)
    assert result.signals().shape == (len(result.series), len(result))
    assert len(result.words_frame()) == sum(c.size for c in result)


def test_result_displays_a_table_of_clusters(result):
    html = result._repr_html_()
    assert html.count("<tr><td") == len(result)
    for c in result:
        row = html.split(f'<tr><td style="text-align:right">{c.id}</td>')[1].split("</tr>")[0]
        assert f"<td>{c.peak:%Y-%m-%d}</td>" in row
        assert f">{c.size}</td>" in row and f">{c.stability:.2f}</td>" in row
        assert " ".join(c.words[:3]) in row
    assert f"{len(result)} trend clusters" in html
    text = repr(result)
    assert text.startswith("<TrendResult: ") and " ".join(result[0].words[:3]) in text


def _hostile_result():
    words = ["<script>alert(1)</script>", "a&b", 'say "hi"']
    index = pd.date_range("2020-01-01", periods=5, freq="D", tz="UTC", name="period")
    series = pd.DataFrame([[0.1, 0.2, 0.1], [0.2, 0.3, 0.2], [0.9, 0.8, 0.7], [0.2, 0.1, 0.2],
                           [0.1, 0.1, 0.1]], index=index, columns=words)
    doc = {"clusters": [{"id": 0, "words": words, "peak": "2020-01-03", "size": 3,
                         "loadings": [0.6, 0.58, 0.55], "start": "2020-01-03",
                         "end": "2020-01-03", "stability": None}],
           "shared_words": ["<i>"], "params": {"tz": "UTC"}, "summary": {}}
    return TrendResult(doc, series)


def test_displays_escape_every_word():
    hostile = _hostile_result()
    for html in (hostile._repr_html_(), hostile[0]._repr_html_()):
        assert "<script>" not in html and "<i>" not in html and 'say "hi"' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "a&amp;b" in html
    cluster_html = hostile[0]._repr_html_()
    assert "data:image/png;base64," in cluster_html and "not computed" in cluster_html
    assert "<Cluster 0: peak 2020-01-03, 3 words" in repr(hostile[0])


def test_analyse_passes_cli_options_to_the_pipeline(
        monkeypatch, analysed_corpus, tmp_path):  # noqa: F811
    seen = {}

    def fake(source, **kwargs):
        seen.update(kwargs, source=source)
        return analysed_corpus[1]

    monkeypatch.setattr("glipca.result.run_analysis", fake)
    stop = tmp_path / "stop.txt"
    stop.write_text("foo\nbar\n", encoding="utf-8")
    out = glipca.analyse("posts.jsonl", lang="en", min_z=4, stop_words=stop,
                         user_words=["New York"], alpha=0.3)
    assert isinstance(out, TrendResult) and len(out) == len(analysed_corpus[1].model.clusters_)
    assert seen["source"] == "posts.jsonl" and seen["alpha"] == 0.3 and seen["cache"] is None
    assert seen["min_z"] == 4
    assert seen["tokenizer_options"] == {"extra_stop_words": ["foo", "bar"],
                                         "user_words": ["New York"]}


@pytest.mark.parametrize("kwargs, message", [
    ({"min_z": 4, "peak_test": object()}, "given twice"),
    ({"min_days": 3, "min_periods": 3}, "given twice"),
    ({"no_such_option": 1}, "unknown option"),
    ({"resamples": -1}, "n_resamples"),
])
def test_python_options_are_checked_before_any_counting(kwargs, message):
    # The file does not exist: an option error must come first.
    with pytest.raises((TypeError, ValueError), match=message):
        glipca.analyse("no-such-posts.jsonl", **kwargs)


def test_cli_spellings_are_python_spellings_too(analysed_corpus, tmp_path):  # noqa: F811
    from glipca.model.options import model_options

    cli = model_options(min_days=4, resamples=3, posts=2, no_cooccurrence=True, min_z=5)
    python = model_options(min_periods=4, n_resamples=3, n_posts=2, cooccurrence=False)
    assert cli.replace(peak_test=None) == python
    assert cli.peak_test.min_z == 5


def test_interpolated_periods_are_known_and_drawn(result):
    index = result.series.index
    assert not result.interpolated.any()
    thin = [f"{index[2]:%Y-%m-%d}/{index[4]:%Y-%m-%d}", f"{index[9]:%Y-%m-%d}"]
    doc = {**result._doc, "summary": {**result.summary, "masked_periods": thin}}
    sparse = TrendResult(doc, result.series)
    assert list(sparse.interpolated.nonzero()[0]) == [2, 3, 4, 9]
    assert "interpolated" in sparse.plot_heatmap().axes[0].get_title()
    assert any("grey: interpolated" in t.get_text() for t in sparse.clusters[0].plot().texts)
    assert not any("interpolated" in t.get_text() for t in result.clusters[0].plot().texts)
