import base64
import hashlib
import re
import shutil
import warnings

import networkx as nx
import pandas as pd
from click.testing import CliRunner

from glipca.cli import main
from glipca.report.document import cluster_name
from glipca.report.figures import hierarchy_of, related_groups, render_figures
from glipca.report.folder import Results, read_results, render_page

from .report_data import HOSTILE_ID, analysed_corpus, results_folder  # noqa: F401


def _page(folder):
    return (folder / "report.html").read_text(encoding="utf-8")


def _between(page, start, end):
    return page.split(start, 1)[1].split(end, 1)[0]


def test_report_opens_on_the_stories_and_ends_on_the_run(results_folder, analysed_corpus):  # noqa: F811
    _, result = analysed_corpus
    page = _page(results_folder)
    doc = read_results(results_folder).doc
    s = result.summary()
    n = len(doc["clusters"])
    # One sentence, then the overview, the tools, the list, the cards; the
    # run's numbers and the definitions last, collapsed.
    assert f'<p class="lede">{n} stories in {s["posts_used"]:,} posts over {s["periods"]} days' in page
    order = [page.index(x) for x in ('class="lede"', 'id="overview"', 'id="tools"',
                                     'id="stories"', 'id="cards"', '<details id="summary">',
                                     '<details id="definitions">')]
    assert order == sorted(order)
    for label, value in [("Posts read", s["posts_read"]), ("Posts used", s["posts_used"]),
                         ("Posts skipped", s["posts_skipped"]), ("Trend clusters", s["clusters"]),
                         ("Words kept", s["words"])]:
        assert f"<th>{label}</th><td>{value:,}</td>" in page
    assert f'{s["alpha"]:.4g} (chosen automatically)' in page
    for term in ("Story", "Direct link", "Words share posts", "Found again", "Numbers"):
        assert f"<dt>{term}</dt>" in page
    # Every story: listed once, linked to its card, in time order.
    listed = re.findall(r'<li data-story="(\d+)" data-peak="([^"]+)"', page)
    assert sorted(int(i) for i, _ in listed) == list(range(n))
    assert [p for _, p in listed] == sorted(c["peak"] for c in doc["clusters"])
    for k, cluster in enumerate(result.model.clusters_):
        c = doc["clusters"][k]
        item = _between(page, f'<li data-story="{k}"', "</li>")
        assert f'href="#story-{k}"' in item and "<svg " in item
        assert f'{cluster_name(c)}</a>' in item
        card = _between(page, f'<article class="card" id="story-{k}"', "</article>")
        assert f'<span id="cluster-{k}"></span>' in card
        assert f">{cluster_name(c)}</h3>" in card
        assert ", ".join(cluster.words) in card
        assert f'src="cluster_{k:03d}.png"' in card and 'loading="lazy"' in card
        posts = _between(card, '<ol class="posts">', "</ol>") if result.posts[k] else ""
        assert posts.count("<li>") == min(len(result.posts[k]), 5)
        boot = doc["summary"]["stability_resamples"]  # resampling stops once settled
        found = round(result.stability[k] * boot)
        assert f"Found again in {found} of {boot} resamples." in card
        if c.get("coherence") is not None:
            assert "Its words share posts: " in card
            if c.get("n_posts_cooccur") is not None:
                assert f"told by {c['n_posts_cooccur']:,} post" in item
        # The technical numbers are on the card, collapsed.
        numbers = _between(card, "<details><summary>Numbers</summary>", "</details>")
        assert f"{c['eigenvalue']:.3g}" in numbers and f"{c['loadings'][0]:.3f}" in numbers
        assert f"{c['eigenvalue']:.3g}" not in card.split("<details>")[0]
    # Timeline, heatmap and dendrogram, collapsed at the end; one figure per cluster.
    more = _between(page, '<details id="figures">', "</details>")
    for name in ("timeline.png", "heatmap.png", "dendrogram.png"):
        assert f'src="{name}"' in more
    related = related_groups(hierarchy_of(doc))
    assert related and more.count('class="swatch"') == len(related)
    assert page.count("<img ") == 3 + n


def test_dates_read_as_a_reader_writes_them():
    from glipca.report.stories import reader_date

    assert reader_date("2017-01-29") == "Jan 29"
    assert reader_date("2016-11-08", year=True) == "Nov 8, 2016"
    assert reader_date("2020-03-01T13:00:00+09:00") == "Mar 1, 13:00"
    assert reader_date("2020-03-01", "MS") == "Mar 2020"


def _many(n_clusters, days, freq="D"):
    """A document of ``n_clusters`` one-word-pair clusters spread over ``days`` periods."""
    from glipca.counting.periods import period_label

    index = pd.date_range("2021-01-04", periods=days, freq=freq, tz="Asia/Tokyo")
    clusters, series = [], {}
    for k in range(n_clusters):
        peak = (k * (days - 1)) // max(n_clusters - 1, 1)
        words = [f"w{k}a", f"w{k}b"]
        for j, w in enumerate(words):
            series[w] = [0.01 + 0.1 * (t == peak) * (1 + j) for t in range(days)]
        clusters.append({"id": k, "words": words, "peak": period_label(index[peak]), "size": 2,
                         "loadings": [0.7, 0.7], "stability": 0.5, "coherence": 0.2,
                         "n_posts_cooccur": 10 * (k + 1), "label": " ".join(words)})
    doc = {"clusters": clusters, "shared_words": [], "hierarchy": None,
           "params": {"lang": "en", "tz": "Asia/Tokyo", "freq": freq,
                      "stability": {"n_resamples": 20}},
           "summary": {"periods": days, "first_period": period_label(index[0]),
                       "last_period": period_label(index[-1]), "posts_used": 5000}}
    return Results(doc, pd.DataFrame(series, index=index))


def test_many_stories_get_month_or_week_headings():
    months = render_page(_many(20, 90))
    assert [h for h in re.findall(r'<section class="period"><h3>([^<]*)</h3>', months)] == [
        "January 2021", "February 2021", "March 2021", "April 2021"]
    weeks = render_page(_many(20, 28))
    assert re.findall(r'<section class="period"><h3>([^<]*)</h3>', weeks)[:2] == [
        "Week of Jan 4", "Week of Jan 11"]
    few = render_page(_many(5, 90))
    assert 'class="period"' not in few and few.count("<li data-story=") == 5
    # Coherence and stability in words: 0.2 is moderate, 0.5 of 20 is 10.
    assert "Its words share posts: moderate. Found again in 10 of 20 resamples." in few
    # Sort keys: by size, the most told story first.
    sizes = dict(re.findall(r'<li data-story="(\d+)"[^>]* data-size="(\d+)"', few))
    assert sizes["4"] == "0" and sizes["0"] == "4"


def test_the_overview_names_the_largest_stories_and_links_every_peak():
    page = render_page(_many(20, 90))
    chart = _between(page, '<svg id="overview-chart"', "</svg>")
    assert chart.count("<circle ") == 20
    assert all(f'<a href="#story-{k}">' in chart for k in range(20))
    named = re.findall(r'<text [^>]*class="name">([^<]*)</text>', chart)
    assert "w19a w19b" in named and 1 <= len(named) <= 8
    assert "<title>Jan 4: w0a w0b (told by 10 posts)</title>" in chart


def _doc(clusters, **summary):
    return {"clusters": clusters, "shared_words": [], "hierarchy": None,
            "params": {"lang": "en", "tz": "UTC", "freq": "D"},
            "summary": {"periods": 8, "first_period": "2021-01-01", "last_period": "2021-01-08",
                        **summary}}


def _series():
    return pd.DataFrame({"a": [0.0, 1, 0.5, 0, 0, 0, 0, 0], "b": [0.1, 0.9, 0.4, 0, 0, 0, 0, 0]},
                        index=pd.date_range("2021-01-01", periods=8, tz="UTC"))


def test_report_warns_of_interpolated_periods_and_peaks_at_the_edge():
    cluster = {"id": 0, "words": ["a", "b"], "peak": "2021-01-02", "size": 2, "edge": True,
               "loadings": [0.7, 0.7], "stability": 0.9, "start": "2021-01-02",
               "end": "2021-01-02"}
    masked = ["2021-01-05", "2021-01-06", "2021-01-07"]
    page = render_page(Results(_doc([cluster], masked_periods=masked), _series()))
    assert "3 of 8 periods (38%) had too few posts" in page
    assert "<td>3 of 8 (38%): 2021-01-05, 2021-01-06, 2021-01-07</td>" in page
    card = page.split('id="story-0"')[1]
    assert '<span class="tag edge">at the edge of the data</span>' in card
    quiet = render_page(Results(_doc([{**cluster, "edge": False}], masked_periods=masked[:1]),
                                  _series()))
    assert 'class="warning"' not in quiet


def test_a_hierarchy_that_does_not_group_is_not_shown(results_folder):  # noqa: F811
    results = read_results(results_folder)
    doc = results.doc
    hierarchy = dict(doc["hierarchy"], groups=[[c["id"]] for c in doc["clusters"]])
    alone = Results({**doc, "hierarchy": hierarchy}, results.series, graph=results.graph)
    figures = render_figures(alone.doc, alone.series, alone.graph)
    assert "dendrogram.png" not in figures and "timeline.png" in figures
    page = render_page(alone, figures=figures)
    assert 'id="groups"' not in page and "Dendrogram" not in page


def test_the_header_says_what_was_analysed_and_how(tmp_path):
    run = {"command": "glipca analyse <b>posts.jsonl --out out", "glipca_version": "9.9",
           "inputs": [{"name": "<i>posts.jsonl", "bytes": 2_500_000, "sha256": "ab12" * 16}]}
    page = render_page(Results(_doc([]), _series(), run=run), title="out")
    assert "<title>Trend report: &lt;i&gt;posts.jsonl</title>" in page
    assert "&lt;i&gt;posts.jsonl <span class=\"note\">(2.5 MB; SHA-256 <code>ab12ab12ab12ab12" in page
    assert "<code>glipca analyse &lt;b&gt;posts.jsonl --out out</code>" in page
    assert "glipca 9.9" in page and "no date is written" in page
    assert '<time id="written">' in page
    assert "No stories were found" in page and "0 stories over 8 days" in page


def test_every_figure_shown_is_a_file_beside_the_page(results_folder):  # noqa: F811
    from glipca.report.figures import png_size

    page = _page(results_folder)
    shown = re.findall(r'<img src="([^"]*)" width="(\d+)" height="(\d+)"', page)
    names = sorted(p.name for p in results_folder.glob("*.png"))
    assert {"timeline.png", "dendrogram.png", "heatmap.png", "cluster_000.png"} <= set(names)
    assert sorted(name for name, _, _ in shown) == names
    for name, width, height in shown:
        png = (results_folder / name).read_bytes()
        # Its size is written in the page, so that nothing moves as it loads.
        assert png_size(png) == (int(width), int(height))
        # No software tag, no time: nothing that differs between runs.
        assert b"tEXt" not in png and b"tIME" not in png and b"iTXt" not in png


def test_figures_drawn_by_worker_processes_are_the_same_bytes(
        results_folder, monkeypatch):  # noqa: F811
    results = read_results(results_folder)
    here = render_figures(results.doc, results.series, results.graph, jobs=1)
    # However few the figures, two jobs start a pool of two workers.
    monkeypatch.setattr("glipca.counting.parallel.MIN_TASKS_FOR_POOL", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a pool that fails to start warns
        pooled = render_figures(results.doc, results.series, results.graph, jobs=2)
    assert list(pooled.items()) == list(here.items())


def test_report_is_self_contained_and_escapes_post_text(results_folder):  # noqa: F811
    from glipca.report.script import SCRIPT, SCRIPT_HASH

    page = _page(results_folder)
    # One script, the fixed one the policy allows by its hash; nothing linked.
    assert page.lower().count("<script") == 1 and f"<script>{SCRIPT}</script>" in page
    assert SCRIPT_HASH == "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert f"script-src '{SCRIPT_HASH}'" in page
    assert "<link" not in page.lower()
    assert not re.search(r"https?://", page)
    # Images are the files beside the page, nothing else.
    assert all(re.fullmatch(r"[a-z_0-9]+\.png", src) for src in re.findall(r'src="([^"]*)"', page))
    assert "default-src 'none'" in page
    assert "onerror" not in page.replace("onerror=&quot;", "")
    assert "&lt;script&gt;window.__pwned = 1;" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;" in page
    assert "&lt;b id=&quot;evil&quot;&gt;7&lt;/b&gt;&amp;amp;" in page
    assert HOSTILE_ID not in page


def test_glipca_report_rebuilds_the_same_file(results_folder, tmp_path):  # noqa: F811
    copy = tmp_path / results_folder.name
    shutil.copytree(results_folder, copy)
    (copy / "report.html").unlink()
    out = CliRunner().invoke(main, ["report", str(copy)])
    assert out.exit_code == 0, out.output
    # Same folder name, hence the same title: the rest is rebuilt from the files.
    assert (copy / "report.html").read_bytes() == (results_folder / "report.html").read_bytes()
    small = CliRunner().invoke(main, ["report", str(copy), "--no-figures"])
    assert small.exit_code == 0 and "<img " not in _page(copy)


def test_glipca_report_refuses_a_folder_without_results(tmp_path):
    out = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert out.exit_code == 2 and "no clusters.json" in out.output


def test_every_user_derived_string_is_escaped():
    evil = '<img src=x onerror="alert(1)">'
    doc = {
        "clusters": [{"id": 0, "words": [evil, "b&c"], "peak": "2021-01-02", "size": 2,
                      "loadings": [0.7, 0.7], "eigenvalue": 1.9, "stability": 0.4,
                      "start": "2021-01-02", "end": "2021-01-03"}],
        "shared_words": [evil],
        "hierarchy": None,
        "params": {"lang": evil, "tz": evil},
        "summary": {"posts_read": 3, "skipped_by_reason": {evil: 1}, "masked_periods": [evil]},
    }
    series = pd.DataFrame({evil: [0.0, 1.0, 0.5], "b&c": [0.1, 0.9, 0.4]},
                          index=pd.date_range("2021-01-01", periods=3))
    graph = nx.Graph([(evil, "b&c", {"weight": 0.5})])
    posts = [[{"id": evil, "time": evil, "text": evil, "score": 1.0, "words": [evil]}]]
    page = render_page(Results(doc, series, graph=graph, posts=posts), title=evil)
    assert "<img" not in page and "onerror=\"" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 10
    assert "shaky" in page


def test_groups_count_the_clusters_standing_alone_in_words():
    from types import SimpleNamespace

    from glipca.report.sections import groups

    hierarchy = SimpleNamespace(threshold=0.5, metric="correlation", method="average")
    clusters = [{"id": k, "words": [f"w{k}", "x"]} for k in range(4)]
    one = groups(hierarchy, [[0, 1, 2]], clusters)
    assert "The other cluster stands alone." in one and "1 clusters" not in one
    assert "The other 2 clusters stand alone." in groups(hierarchy, [[0, 1]], clusters)
    assert "No cluster stands alone." in groups(hierarchy, [[0, 1], [2, 3]], clusters)


def test_a_post_id_that_is_a_web_address_is_a_link_and_nothing_else_is():
    results = _many(1, 10)
    posts = [[{"id": "https://example.org/p/1?a=1&b=2", "time": "2021-01-04T10:00:00+00:00",
               "text": "w0a w0b", "score": 1.0, "words": ["w0a"]},
              {"id": "javascript:alert(1)", "time": "2021-01-04T11:00:00+00:00",
               "text": "w0a w0b again", "score": 0.5, "words": ["w0a"]}]]
    page = render_page(Results(results.doc, results.series, posts=posts))
    assert ('<a href="https://example.org/p/1?a=1&amp;b=2" rel="noopener noreferrer nofollow">'
            in page)
    assert 'href="javascript' not in page and "id javascript:alert(1)</div>" in page
    assert '<time datetime="2021-01-04T10:00:00+00:00">2021-01-04 10:00</time>' in page


def test_a_notebook_shows_the_stories_as_a_table_and_a_story_as_a_card(results_folder):  # noqa: F811
    import glipca

    result = glipca.load(results_folder)
    stories = result.stories
    doc = read_results(results_folder).doc
    assert isinstance(stories, pd.DataFrame) and len(stories) == len(doc["stories"]) > 0
    assert list(stories["peak"]) == sorted(stories["peak"])
    table = stories._repr_html_()
    assert table.count("<svg ") == len(stories) and table.count("<tr>") == len(stories) + 1
    for label in stories["label"]:
        assert f"<b>{label}</b>" in table
    k = int(stories["n_posts"].idxmax())
    card = result.story(k)._repr_html_()
    facets = len(stories.loc[k, "clusters"])
    assert f">{stories.loc[k, 'label']}</h3>" in card
    assert card.count('<img src="data:image/png') == facets >= 1
    assert card.count("<li>") >= 3
    # Post text is escaped here too.
    assert "<script>" not in table + card
    assert stories.loc[k, "label"] in repr(result.story(k))
    # A slice is a plain frame, shown as one.
    assert type(stories.head(2)) is pd.DataFrame


def test_periods_shorter_than_a_day_read_with_their_hour():
    page = render_page(_many(20, 41, freq="12h"))
    assert '20 stories in 5,000 posts over 41 periods of 12h (Jan 4 to Jan 24, 2021)' in page
    # Story 10 peaks at noon on Jan 14, the others at midnight.
    assert '<time datetime="2021-01-14T12:00:00+09:00">Jan 14, 12:00</time>' in page
    assert "Week of Jan 4" in page
    assert page.count("<li data-story=") == 20
