import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager

from glipca.model.hierarchy import cluster_hierarchy
from glipca.report import plots as plot
from glipca.report.cluster_figure import plot_cluster, plot_cluster_graph, plot_cluster_multiples

WORDS = ["地震", "津波", "避難", "ニュース", "東京"]


def _series():
    index = pd.date_range("2021-03-01", periods=30, freq="D", tz="Asia/Tokyo")
    rng = np.random.default_rng(0)
    t = np.arange(30)
    data = {w: 0.01 + 0.02 * np.exp(-0.5 * ((t - 10 - k) / 2) ** 2) + 0.001 * rng.random(30)
            for k, w in enumerate(WORDS)}
    return pd.DataFrame(data, index=index)


def _clusters():
    return [
        {"id": 0, "words": WORDS[:3], "peak": "2021-03-11", "start": "2021-03-10",
         "end": "2021-03-13", "stability": 1.0},
        {"id": 1, "words": WORDS[3:], "peak": "2021-03-14", "start": "2021-03-14",
         "end": "2021-03-14", "stability": 0.3},
    ]


@pytest.fixture
def series():
    return _series()


@pytest.fixture
def clusters():
    return _clusters()


def _hierarchy(series):
    return cluster_hierarchy(series.to_numpy()[:, :3])


def _drawers(series, clusters):
    """One call per plotting function, each taking an optional Axes."""
    graph = nx.Graph()
    graph.add_weighted_edges_from([("地震", "津波", 0.4), ("津波", "避難", -0.1)])
    peak = series.index[10]
    return [
        lambda ax=None: plot.plot_cluster_series(series, WORDS, peak=peak, ax=ax),
        lambda ax=None: plot_cluster_multiples(series, WORDS, peak=peak, start=series.index[8],
                                               end=peak, ax=ax),
        lambda ax=None: plot.plot_timeline(clusters, ax=ax),
        lambda ax=None: plot_cluster_graph(graph, loadings={"地震": 0.6}, ax=ax),
        lambda ax=None: plot.plot_dendrogram(_hierarchy(series), names={0: "地震"}, ax=ax),
        lambda ax=None: plot.plot_heatmap(series, WORDS, separators=[3], ax=ax),
    ]


def _every_figure(series, clusters):
    """Every kind of figure, the report's cluster figure included."""
    graph = nx.Graph([("地震", "津波", {"weight": 0.4}), ("津波", "避難", {"weight": -0.1})])
    peak = series.index[10]
    return [*_drawers(series, clusters), lambda: plot_cluster(
        series, WORDS, graph, loadings=[0.6, 0.5, 0.4, 0.3, 0.2], peak=peak,
        start=series.index[8], end=peak, title="地震 津波")]


def test_every_plot_returns_a_figure_and_draws_into_a_given_axes(series, clusters):
    for draw in _drawers(series, clusters):
        fig = draw()
        assert isinstance(fig, Figure)
        assert plot.png_bytes(fig).startswith(b"\x89PNG")
        host = Figure()
        assert draw(ax=host.add_subplot()) is host


def test_japanese_words_render_as_glyphs_even_after_rcdefaults(series, clusters):
    with matplotlib.rc_context():
        # A user or a notebook resetting the style must not bring boxes back.
        matplotlib.rcdefaults()
        with warnings.catch_warnings():
            # Matplotlib warns "Glyph ... missing from font(s)" for a box.
            warnings.simplefilter("error")
            for draw in _every_figure(series, clusters):
                draw().canvas.draw()
    path = fontManager.findfont(FontProperties(family="IPAexGothic"), fallback_to_default=False)
    assert path.endswith("ipaexg.ttf")


def test_dendrogram_of_one_cluster_says_so():
    fig = plot.plot_dendrogram(cluster_hierarchy(np.ones((5, 1))))
    assert "fewer than two clusters" in fig.axes[0].texts[0].get_text()


def test_figures_leave_global_state_alone():
    # In a fresh interpreter, so that no other test has chosen a backend.
    script = textwrap.dedent("""
        import sys
        import matplotlib
        from tests.test_plot import _every_figure, _series, _clusters
        from glipca.report import plots

        before = {k: v for k, v in dict.items(matplotlib.rcParams)}
        for draw in _every_figure(_series(), _clusters()):
            plots.png_bytes(draw())
        after = {k: v for k, v in dict.items(matplotlib.rcParams)}
        changed = sorted(k for k in before if before[k] != after[k])
        assert not changed, changed
        assert "matplotlib.pyplot" not in sys.modules
        assert "matplotlib_fontja" not in sys.modules
        # The backend was never chosen, let alone switched.
        assert dict.__getitem__(matplotlib.rcParams, "backend") is \
            matplotlib.rcsetup._auto_backend_sentinel
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path.parent if False else None, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_more_than_ten_lines_get_colours_of_their_own():
    index = pd.date_range("2021-03-01", periods=20, freq="D")
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(14)]
    frame = pd.DataFrame(rng.random((20, 14)), index=index, columns=words)
    fig = plot.plot_cluster_series(frame, words, max_words=14)
    colours = [matplotlib.colors.to_hex(line.get_color()) for line in fig.axes[0].get_lines()
               if line.get_label() in words]
    assert len(colours) == 14 and len(set(colours)) == 14


def test_dendrogram_draws_each_group_of_related_clusters_in_its_own_colour():
    # Twelve pairs of clusters whose signals nearly coincide: twelve groups.
    rng = np.random.default_rng(0)
    base = rng.normal(size=(40, 12))
    signals = np.repeat(base, 2, axis=1) + 0.05 * rng.normal(size=(40, 24))
    hierarchy = cluster_hierarchy(signals)
    related = [g for g in hierarchy.groups if len(g) >= 2]
    assert len(related) == 12
    ax = plot.plot_dendrogram(hierarchy).axes[0]
    colours = {matplotlib.colors.to_hex(c) for coll in ax.collections for c in coll.get_colors()}
    assert len(colours - {"#999999"}) == 12


def _months(n=60):
    index = pd.date_range("2011-10-01", periods=n, freq="MS", tz="Asia/Tokyo")
    rng = np.random.default_rng(1)
    return pd.DataFrame({w: 0.01 + 0.001 * rng.random(n) for w in WORDS[:2]}, index=index)


def test_masked_periods_read_back_from_their_ranges():
    from glipca.model.periods import masked_from_ranges, masked_ranges

    index = _months().index
    masked = np.zeros(len(index), dtype=bool)
    masked[[0, 3, 4, 5, 30, 59]] = True
    ranges = masked_ranges(index, masked)
    assert ranges == ["2011-10-01", "2012-01-01/2012-03-01", "2014-04-01", "2016-09-01"]
    assert (masked_from_ranges(index, ranges) == masked).all()
    assert not masked_from_ranges(index, ["1999-01-01/1999-02-01"]).any()


def test_interpolated_months_are_marked_in_cluster_figures_and_the_heatmap():
    series = _months()
    masked = np.zeros(len(series), dtype=bool)
    masked[10:25] = True  # 15 thin months, drawn as a straight line
    plain = plot_cluster_multiples(series, WORDS[:2], peak=series.index[40])
    marked = plot_cluster_multiples(series, WORDS[:2], peak=series.index[40], masked=masked)
    def grey_bands(fig):
        return sum(len(c.get_paths()) for c in fig.axes[0].collections
                   if len(c.get_facecolor()) and np.allclose(c.get_facecolor()[0][:3], 0.85))

    # One grey band per panel (two words, one run of thin months); none unmarked.
    assert (grey_bands(marked), grey_bands(plain)) == (2, 0)
    assert any("grey: interpolated" in t.get_text() for t in marked.texts)
    assert not any("interpolated" in t.get_text() for t in plain.texts)
    heat = plot.plot_heatmap(series, WORDS[:2], masked=masked).axes[0]
    assert "interpolated" in heat.get_title()
    assert len(heat.patches) == 1  # one hatched band for the one run


def test_heatmap_of_months_over_years_labels_year_and_month():
    heat = plot.plot_heatmap(_months(), WORDS[:2]).axes[0]
    labels = [t.get_text() for t in heat.get_xticklabels()]
    assert labels[0] == "2011-10" and len(set(labels)) == len(labels)
    days = plot.plot_heatmap(_series(), WORDS).axes[0]
    assert [t.get_text() for t in days.get_xticklabels()][:2] == ["03-01", "03-04"]


def test_timeline_bars_last_one_period():
    months = [{"id": 0, "words": ["a", "b"], "peak": "2021-05-01", "start": "2021-05-01",
               "end": "2021-05-01"}]
    bar = plot.plot_timeline(months, freq="MS").axes[0].patches[0]
    assert round(bar.get_width()) == 31  # May, in days: not one day wide
    monday = [{**months[0], "peak": "2021-05-03", "start": "2021-05-03", "end": "2021-05-03"}]
    week = plot.plot_timeline(monday, freq="W").axes[0].patches[0]
    assert round(week.get_width()) == 7
    day = plot.plot_timeline(months).axes[0].patches[0]
    assert round(day.get_width()) == 1


def test_timeline_spans_the_analysed_window():
    import matplotlib.dates as mdates

    months = [{"id": 0, "words": ["a", "b"], "peak": "2012-05-01"}]
    ax = plot.plot_timeline(months, freq="MS", window=("2009-07-01", "2012-09-01")).axes[0]
    first, last = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert (first, last) == (pd.Timestamp("2009-07-01"), pd.Timestamp("2012-10-01"))


def test_panel_titles_are_cut_by_display_width_not_characters():
    from glipca.report.cluster_figure import TITLE_COLUMNS, _short
    from glipca.tokens.normalise import display_width

    assert display_width("trump") == 5 and display_width("東京タワー") == 10
    assert _short("trump2016") == "trump2016"
    cut = _short("hillaryforprison2016")
    assert cut.endswith("…") and display_width(cut) <= TITLE_COLUMNS
    assert "hillaryforprison2016".startswith(cut[:-1])
    # Eight kanji and kana are 16 columns: cut after six (12 columns) and the ellipsis.
    cut = _short("東京スカイツリー駅")
    assert cut == "東京スカイツ…" and display_width(cut) <= TITLE_COLUMNS
