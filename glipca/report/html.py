"""The HTML report: one self-contained file an analyst can hand on.

The report is drawn from a :class:`glipca.report.folder.Results`, which
holds exactly what the results folder's files hold, so that ``glipca report
DIR`` rebuilds, from the files, what ``glipca analyse`` wrote. Figures are
embedded as PNG data URIs; there is no script, no external style sheet or
font, and a Content-Security-Policy forbids loading anything, so the file
opens offline and cannot reach the network.

Every piece of text that comes from the data (post texts, words, ids, file
names) is untrusted and goes through :func:`escape`.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ..progress import StageTimes
from .figures import cluster_file, hierarchy_of
from .folder import read_results

__all__ = ["escape", "png_uri", "render_report", "write_report"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Yu Gothic", Meiryo,
       "Noto Sans CJK JP", "IPAexGothic",
       "Noto Sans", sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem 4rem;
       color: #1b1b1b; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; }
h2 { border-top: 2px solid #ddd; padding-top: 1rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
td, th { border-bottom: 1px solid #e3e3e3; padding: 0.2rem 0.7rem 0.2rem 0; text-align: left;
         vertical-align: top; }
th { font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; display: block; margin: 0.5rem 0; }
.figures { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 1rem; }
.words { font-size: 1.1rem; }
.note { color: #555; font-size: 0.9rem; }
.badge { display: inline-block; border-radius: 0.3rem; padding: 0 0.4rem; font-weight: 600; }
.stable { background: #d9f2d9; } .moderate { background: #fff0c2; } .shaky { background: #f8d0d0; }
.posts li { margin-bottom: 0.6rem; }
.post-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.post-meta { color: #555; font-size: 0.85rem; }
nav ol { columns: 2; }
"""


def escape(value):
    """Escaped text of any value, quotes included (safe in attributes too)."""
    return html.escape("" if value is None else str(value), quote=True)


_e = escape


def png_uri(fig):
    """The figure as a PNG data URI."""
    from .figures import DPI
    from .plots import png_bytes

    return _uri(png_bytes(fig, dpi=DPI))


def _uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _img(figures, name, alt):
    """The figure file ``name`` embedded, or nothing when figures are off."""
    if not figures or name not in figures:
        return ""
    return f'<img src="{_uri(figures[name])}" alt="{_e(alt)}">'


def write_report(folder, *, results=None, path=None, figures=True, title=None, jobs=1,
                 times=None, progress=False):
    """Write ``report.html`` and its figures' PNG files into a results folder.

    Parameters
    ----------
    folder : path
        A results folder (:mod:`glipca.report.folder`).
    results : Results, optional
        What the folder holds, when the caller has it already; default read
        from the folder.
    path : path, optional
        Where to write the page; default ``folder / "report.html"``.
    figures : bool, default=True
        Draw the figures, write them beside the page and embed them (False
        gives a small text-only page and writes no figure).
    title : str, optional
        Name shown in the title; default the folder's name.
    jobs : int or None, default=1
        Processes drawing the figures; None for all available cores.
    times : StageTimes, optional
        Where the wall times of drawing the figures and writing the page are
        added (:class:`glipca.progress.StageTimes`).
    progress : bool, default=False
        Show the figures drawn on a progress bar (:mod:`glipca.progress`).

    Returns
    -------
    Path
    """
    times = StageTimes() if times is None else times
    results = read_results(folder) if results is None else results
    title = Path(folder).resolve().name if title is None else title
    drawn = {}
    if figures:
        from .figures import render_figures

        with times("figures"):
            drawn = render_figures(results, jobs=jobs, progress=progress)
            for name, png in drawn.items():
                _replace(Path(folder) / name, png)
    with times("report"):
        path = Path(path) if path is not None else Path(folder) / "report.html"
        _replace(path, render_report(results, figures=drawn, title=title).encode("utf-8"))
    return path


def _replace(path, data):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _stability_badge(score):
    if score is None:
        return '<span class="note">not computed</span>'
    kind = "stable" if score >= 0.8 else "moderate" if score >= 0.5 else "shaky"
    return f'<span class="badge {kind}">{score:.2f} ({kind})</span>'


def render_report(results, *, figures=None, title="glipca"):
    """The report as an HTML string.

    Parameters
    ----------
    results : Results
        What the results folder holds.
    figures : dict, optional
        File name -> PNG bytes (:func:`glipca.report.figures.render_figures`);
        without it the page has no figure.
    title : str
        Shown in the page title (e.g. the results folder's name).
    """
    doc = results.doc
    clusters = doc["clusters"]
    hierarchy = hierarchy_of(doc)
    group_of = {}
    if hierarchy is not None:
        for g, members in enumerate(hierarchy.groups):
            for c in members:
                group_of[c] = (g, members)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="und"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Trend report: {_e(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Trend report: {_e(title)}</h1>",
        f'<p class="note">glipca {_e(doc.get("glipca_version", ""))}: trend clusters found by '
        "graphical-lasso-guided iterative PCA.</p>",
        _summary(doc),
        _contents(clusters),
    ]
    if figures and clusters:
        parts.append('<h2 id="overview">Overview</h2>')
        parts.append('<p class="note">Bars span the days each cluster stays above half its '
                     "peak; dots mark the peak; colour is the stability score.</p>")
        parts.append(_img(figures, "timeline.png", "Timeline of trend clusters"))
        if "dendrogram.png" in figures:
            parts.append('<p class="note">Clusters whose signals rise and fall together join '
                         f"low in the tree; the dotted line is the cut at "
                         f"{hierarchy.threshold:g} that defines the groups below.</p>")
            parts.append(_img(figures, "dendrogram.png", "Dendrogram of trend clusters"))
        parts.append(_img(figures, "heatmap.png", "Heatmap of words by period"))
    if hierarchy is not None and len(hierarchy.labels) >= 2:
        parts.append(_groups(hierarchy, clusters))
    for c in clusters:
        parts.append(_cluster_section(c, results, group_of, figures))
    if doc.get("shared_words"):
        parts.append('<h2 id="shared">Shared words</h2><p>Directly tied to two clusters, so '
                     "listed in neither: " + _e(", ".join(map(str, doc["shared_words"])))
                     + "</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _summary(doc):
    s = doc.get("summary", {})
    p = doc.get("params", {})
    rows = [
        ("Posts read", s.get("posts_read")),
        ("Posts used", s.get("posts_used")),
        ("Posts skipped", s.get("posts_skipped")),
        ("Periods", f'{s.get("periods")} ({s.get("first_period")} to {s.get("last_period")}, '
                    f'{p.get("freq", "D")}, {p.get("tz", "")})'),
        ("Vocabulary", s.get("vocabulary")),
        ("Words kept", s.get("words")),
        ("Candidate trend words", s.get("candidate_words")),
        ("Graphical lasso penalty λ", f'{s["alpha"]:.4g}' if "alpha" in s else None),
        ("Direct links", s.get("graph_edges")),
        ("Trend clusters", s.get("clusters")),
        ("Language", p.get("lang")),
    ]
    skipped = s.get("skipped_by_reason") or {}
    if skipped:
        rows.append(("Skipped by reason", ", ".join(f"{k}: {v}" for k, v in skipped.items())))
    if s.get("masked_periods"):
        rows.append(("Low-volume periods (interpolated)", ", ".join(s["masked_periods"])))
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<h2 id="summary">Summary</h2><table class="summary">{body}</table>'


def _contents(clusters):
    if not clusters:
        return "<p>No trend clusters were found.</p>"
    items = "".join(
        f'<li><a href="#cluster-{int(c["id"])}">Cluster {int(c["id"])}</a>: {_e(c["peak"])}, '
        f'{_e(" ".join(map(str, c["words"][:4])))}</li>'
        for c in clusters
    )
    return f'<nav><h2 id="contents">Clusters</h2><ul>{items}</ul></nav>'


def _groups(hierarchy, clusters):
    by_id = {c["id"]: c for c in clusters}
    rows = []
    for g, members in enumerate(hierarchy.groups):
        text = "; ".join(
            f'{m}: {" ".join(map(str, by_id[m]["words"][:3]))}' for m in members if m in by_id
        )
        rows.append(f"<tr><td class=\"num\">{g}</td><td>{_e(text)}</td></tr>")
    return (
        '<h2 id="groups">Groups of related clusters</h2>'
        f'<p class="note">The dendrogram cut at {hierarchy.threshold:g} '
        f"({_e(hierarchy.metric)} distance, {_e(hierarchy.method)} linkage).</p>"
        f'<table><tr><th>Group</th><th>Clusters</th></tr>{"".join(rows)}</table>'
    )


def _cluster_section(c, results, group_of, figures):
    cid = int(c["id"])
    words = [str(w) for w in c["words"]]
    out = [f'<section id="cluster-{cid}">',
           f"<h2>Cluster {cid}: {_e(' '.join(words[:5]))}</h2>"]
    span = f'{c["start"]} to {c["end"]}' if c.get("start") else ""
    facts = [
        ("Peak", c["peak"]),
        ("Span at half height", span),
        ("Words", c["size"]),
        ("Leading eigenvalue", f'{c["eigenvalue"]:.3g}' if "eigenvalue" in c else None),
    ]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    rows += f"<tr><th>Stability</th><td>{_stability_badge(c.get('stability'))}</td></tr>"
    if cid in group_of:
        g, members = group_of[cid]
        others = [m for m in members if m != cid]
        links = ", ".join(f'<a href="#cluster-{int(m)}">{int(m)}</a>' for m in others)
        rows += f"<tr><th>Group</th><td>{g}" + (f" (with {links})" if links else "") + "</td></tr>"
    out.append(f"<table>{rows}</table>")
    loadings = c.get("loadings") or [None] * len(words)
    cells = "".join(
        f'<tr><td>{_e(w)}</td><td class="num">{"" if x is None else f"{x:.3f}"}</td></tr>'
        for w, x in zip(words, loadings)
    )
    out.append('<table class="words"><tr><th>Word (most central first)</th>'
               f'<th>Loading</th></tr>{cells}</table>')
    out.append(_img(figures, cluster_file(cid),
                    f"Series and direct-correlation graph of the words of cluster {cid}"))
    out.append(_posts_list(results.posts_of(cid)))
    out.append("</section>")
    return "\n".join(out)


def _posts_list(items):
    if not items:
        return '<h3>Representative posts</h3><p class="note">None collected.</p>'
    lis = []
    for p in items:
        lis.append(
            f'<li><div class="post-text">{_e(p.get("text"))}</div>'
            f'<div class="post-meta">{_e(p.get("time"))} · id {_e(p.get("id"))} · words: '
            f'{_e(", ".join(map(str, p.get("words", []))))} · score {float(p.get("score", 0)):.2f}'
            "</div></li>"
        )
    return ('<h3>Representative posts</h3><p class="note">Posts holding many of the cluster\'s '
            "words, posted near its peak.</p>" f'<ol class="posts">{"".join(lis)}</ol>')
