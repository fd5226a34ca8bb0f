import base64
import re
import shutil
import warnings

import networkx as nx
import pandas as pd
from click.testing import CliRunner

from glipca.cli import main
from glipca.report.document import cluster_name
from glipca.report.figures import hierarchy_of, related_groups, render_figures
from glipca.report.folder import Results, read_results
from glipca.report.html import render_report

from .report_data import HOSTILE_ID, analysed_corpus, results_folder  # noqa: F401


def _page(folder):
    return (folder / "report.html").read_text(encoding="utf-8")


def test_report_shows_every_section(results_folder, analysed_corpus):  # noqa: F811
    _, result = analysed_corpus
    page = _page(results_folder)
    doc = read_results(results_folder).doc
    s = result.summary()
    for label, value in [("Posts read", s["posts_read"]), ("Posts used", s["posts_used"]),
                         ("Posts skipped", s["posts_skipped"]), ("Trend clusters", s["clusters"]),
                         ("Words kept", s["words"])]:
        assert f"<th>{label}</th><td>{value:,}</td>" in page
    assert f'{s["alpha"]:.4g} (chosen automatically)' in page and f'{s["periods"]} (' in page
    for anchor in ("summary", "reading", "clusters", "overview"):
        assert f'id="{anchor}"' in page
    for term in ("Direct link", "λ", "Leading eigenvalue", "Loading", "Stability", "Coherence",
                 "Post score"):
        assert f"<dt>{term}</dt>" in page
    assert 'alt="Timeline of trend clusters"' in page and 'alt="Heatmap of words by period"' in page
    related = related_groups(hierarchy_of(doc))
    assert related, "the two close pairs should group"
    assert ('id="groups"' in page) and 'alt="Dendrogram of trend clusters"' in page
    groups = page.split('id="groups"')[1].split("</table>")[0]
    assert groups.count('class="swatch"') == len(related)
    table = page.split('<table class="clusters">')[1].split("</table>")[0]
    for k, cluster in enumerate(result.model.clusters_):
        row = table.split(f'<a href="#cluster-{k}">{k}</a>')[1].split("</tr>")[0]
        c = doc["clusters"][k]
        assert cluster_name(c) in row and c["peak"] in row and f">{c['size']}<" in row
        assert f"{result.stability[k]:.2f}" in row
        if c.get("coherence") is not None:
            assert f"{c['coherence']:.2f}" in row
        section = page.split(f'<section id="cluster-{k}">')[1].split("</section>")[0]
        assert f"<li><span>{cluster.words[-1]}</span>" in section
        assert f"{result.stability[k]:.2f}" in section
        assert f"direct-correlation graph of the words of cluster {k}" in section
        assert section.split('<ol class="posts">')[1].count("<li>") == len(result.posts[k])
    # Overview: timeline, heatmap, dendrogram; one figure per cluster.
    assert page.count("<img ") == 3 + len(result.model.clusters_)


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
    page = render_report(Results(_doc([cluster], masked_periods=masked), _series()))
    assert "3 of 8 periods (38%) had too few posts" in page
    assert "<td>3 of 8 (38%): 2021-01-05, 2021-01-06, 2021-01-07</td>" in page
    assert "Cluster <a href=\"#cluster-0\">0</a> peaks at the first or last observed" in page
    quiet = render_report(Results(_doc([{**cluster, "edge": False}], masked_periods=masked[:1]),
                                  _series()))
    assert 'class="warning"' not in quiet


def test_a_hierarchy_that_does_not_group_is_not_shown(results_folder):  # noqa: F811
    results = read_results(results_folder)
    doc = results.doc
    hierarchy = dict(doc["hierarchy"], groups=[[c["id"]] for c in doc["clusters"]])
    alone = Results({**doc, "hierarchy": hierarchy}, results.series, graph=results.graph)
    figures = render_figures(alone)
    assert "dendrogram.png" not in figures and "timeline.png" in figures
    page = render_report(alone, figures=figures)
    assert 'id="groups"' not in page and "Dendrogram" not in page


def test_the_header_says_what_was_analysed_and_how(tmp_path):
    run = {"command": "glipca analyse <b>posts.jsonl --out out", "glipca_version": "9.9",
           "inputs": [{"name": "<i>posts.jsonl", "bytes": 2_500_000, "sha256": "ab12" * 16}]}
    page = render_report(Results(_doc([]), _series(), run=run), title="out")
    assert "<title>Trend report: &lt;i&gt;posts.jsonl</title>" in page
    assert "&lt;i&gt;posts.jsonl <span class=\"note\">(2.5 MB; SHA-256 <code>ab12ab12ab12ab12" in page
    assert "<code>glipca analyse &lt;b&gt;posts.jsonl --out out</code>" in page
    assert "glipca 9.9" in page and "no date is written" in page
    assert '<time id="written">' in page
    assert "No trend clusters were found." in page


def test_every_figure_is_also_a_file_with_the_same_bytes(results_folder):  # noqa: F811
    page = _page(results_folder)
    embedded = [base64.b64decode(uri.split(",", 1)[1])
                for uri in re.findall(r'src="(data:image/png;base64,[^"]*)"', page)]
    files = sorted(results_folder.glob("*.png"))
    names = [p.name for p in files]
    assert {"timeline.png", "dendrogram.png", "heatmap.png", "cluster_000.png"} <= set(names)
    assert sorted(embedded) == sorted(p.read_bytes() for p in files)
    for png in embedded:
        # No software tag, no time: nothing that differs between runs.
        assert b"tEXt" not in png and b"tIME" not in png and b"iTXt" not in png


def test_figures_drawn_by_worker_processes_are_the_same_bytes(
        results_folder, monkeypatch):  # noqa: F811
    results = read_results(results_folder)
    here = render_figures(results, jobs=1)
    # However few the figures, two jobs start a pool of two workers.
    monkeypatch.setattr("glipca.counting.parallel.MIN_TASKS_FOR_POOL", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a pool that fails to start warns
        pooled = render_figures(results, jobs=2)
    assert list(pooled.items()) == list(here.items())


def test_report_is_self_contained_and_escapes_post_text(results_folder):  # noqa: F811
    from glipca.report.html import WRITTEN_SCRIPT

    page = _page(results_folder)
    # One script, the fixed one the policy allows by its hash; nothing linked.
    assert page.lower().count("<script") == 1 and f"<script>{WRITTEN_SCRIPT}</script>" in page
    assert "<link" not in page.lower()
    assert not re.search(r"https?://", page)
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', page))
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
    page = render_report(Results(doc, series, graph=graph, posts=posts), figures=False, title=evil)
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
