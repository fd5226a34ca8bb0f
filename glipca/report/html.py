"""The HTML report: one self-contained file an analyst can hand on.

The report is drawn from a :class:`glipca.report.folder.Results`, which
holds exactly what the results folder's files hold, so that ``glipca report
DIR`` rebuilds, from the files, what ``glipca analyse`` wrote. Figures are
embedded as PNG data URIs; there is no external style sheet or font, and a
Content-Security-Policy forbids loading anything, so the file opens offline
and cannot reach the network. The policy allows one script, by its hash:
:data:`WRITTEN_SCRIPT`, which shows when the file was written (see
:func:`render_report`); any other script, injected or not, is blocked.

Every piece of text that comes from the data (post texts, words, ids, file
names) is untrusted and goes through :func:`escape`.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from ..progress import StageTimes
from . import sections
from .document import emerging_first
from .figures import cluster_file, hierarchy_of, related_groups
from .folder import read_results
from .sections import escape

__all__ = ["escape", "png_uri", "render_report", "write_report"]

#: Shows the file's modification time in the header's ``<time id="written">``.
#: The run's date is not written into the bytes (two runs of the same posts
#: give the same file), so the page reads it from the file itself: a browser
#: takes ``document.lastModified`` from the file's modification time (or the
#: server's Last-Modified header). The text never depends on the data.
WRITTEN_SCRIPT = (
    '(function () { var t = document.getElementById("written"); '
    'var d = new Date(document.lastModified); '
    'if (t && !isNaN(d.getTime())) { t.setAttribute("datetime", d.toISOString()); '
    't.textContent = d.toISOString().slice(0, 16).replace("T", " ") + " UTC"; } })();'
)
_WRITTEN_HASH = base64.b64encode(hashlib.sha256(WRITTEN_SCRIPT.encode()).digest()).decode()

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
       f"script-src 'sha256-{_WRITTEN_HASH}'")

#: Latin, then Japanese, then simplified Chinese fonts, whichever the reader has.
FONTS = ('system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Yu Gothic", Meiryo, '
         '"Noto Sans CJK JP", "IPAexGothic", "PingFang SC", "Microsoft YaHei", '
         '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Noto Sans", sans-serif')

STYLE = """
body { font-family: %s; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem 4rem;
       color: #1b1b1b; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; overflow-wrap: anywhere; }
h2 { border-top: 2px solid #ddd; padding-top: 1rem; margin-top: 2.5rem; }
.lede { font-size: 1.15rem; margin-top: 0.3rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
td, th { border-bottom: 1px solid #e3e3e3; padding: 0.2rem 0.7rem 0.2rem 0; text-align: left;
         vertical-align: top; }
th { font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.date { white-space: nowrap; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.4rem;
          vertical-align: -0.1rem; border-radius: 0.15rem; }
code { font-size: 0.9rem; overflow-wrap: anywhere; }
img { max-width: 100%%; height: auto; display: block; margin: 0.5rem 0; }
.note { color: #555; font-size: 0.9rem; }
.warning { background: #fff3cd; border-left: 4px solid #e0a800; padding: 0.3rem 0.6rem; }
.badge { display: inline-block; border-radius: 0.3rem; padding: 0 0.4rem; font-weight: 600; }
.stable { background: #d9f2d9; } .moderate { background: #fff0c2; } .shaky { background: #f8d0d0; }
.glossary dt { font-weight: 600; margin-top: 0.5rem; }
.glossary dd { margin-left: 1.5rem; }
.facts { display: flex; flex-wrap: wrap; gap: 0 3rem; align-items: flex-start; }
ol.words { columns: 3 11rem; padding-left: 1.8rem; margin: 0.3rem 0 1rem; }
ol.words li span.num { color: #555; margin-left: 0.6rem; font-size: 0.9rem; }
.posts li { margin-bottom: 0.6rem; }
.post-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.post-meta { color: #555; font-size: 0.85rem; }
""" % FONTS


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
    return f'<img src="{_uri(figures[name])}" alt="{escape(alt)}">'


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
        The results folder's name, as the report shows it; default the
        folder's own name.
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
        The results folder's name; the page is titled by the input files
        when ``results.run`` names them, else by this.
    """
    doc = results.doc
    clusters = doc["clusters"]
    figures = figures or {}
    lang = doc.get("params", {}).get("lang") or "und"
    hierarchy = hierarchy_of(doc)
    related = related_groups(hierarchy)
    group_of = {c: (g, members) for g, members in enumerate(related) for c in members}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Trend report: {escape(sections.title_of(results.run, title))}</title>",
        f"<style>{STYLE}</style></head><body>",
        sections.header(doc, results.run, title),
        sections.changes(doc),
        sections.summary(doc),
        sections.how_to_read(doc),
        sections.cluster_table(doc, lang),
    ]
    if figures and clusters:
        parts += [
            '<h2 id="overview">Overview</h2>',
            '<p class="note">Each bar spans the periods a cluster stays above half its peak; '
            "the dot marks the peak; the colour is its stability (dark: shaky). On the right: "
            "its size, stability and coherence.</p>",
            _img(figures, "timeline.png", "Timeline of trend clusters"),
            '<p class="note">Each cluster\'s three most central words, each to its own '
            "maximum (black), by period; clusters in dendrogram order, separated by red "
            "lines.</p>",
            _img(figures, "heatmap.png", "Heatmap of words by period"),
        ]
    if related:
        parts.append(sections.groups(hierarchy, related, clusters))
        parts.append(_img(figures, "dendrogram.png", "Dendrogram of trend clusters"))
    for c in emerging_first(clusters):
        image = _img(figures, cluster_file(c["id"]),
                     f"Series and direct-correlation graph of the words of cluster {c['id']}")
        parts.append(sections.cluster_section(c, results, group_of, image, lang))
    if doc.get("shared_words"):
        parts.append('<h2 id="shared">Shared words</h2><p>Directly linked to two clusters, so '
                     f'listed in neither: <span lang="{escape(lang)}">'
                     + escape(", ".join(map(str, doc["shared_words"]))) + "</span></p>")
    parts.append(f"<script>{WRITTEN_SCRIPT}</script>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
