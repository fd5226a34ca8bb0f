"""The HTML report: one page an analyst can hand on, stories first.

:func:`render_report` formats a :class:`glipca.report.page.ReportPage`
(plain values, built once from what a results folder holds); it reads no
file and draws nothing. The page opens on the stories: one sentence, the
overview chart, the story list with search, date and sort tools, then one
card per story; what the run was (summary, other figures, definitions)
comes last, collapsed.

Figures are the PNG files beside the page, loaded lazily; the charts of the
overview and the list are inline SVG. There is no external style sheet or
font, and a Content-Security-Policy forbids loading anything but the images
beside the page, so the file opens offline and cannot reach the network.
The policy allows one script, by its hash (:data:`glipca.report.script.SCRIPT`);
any other script, injected or not, is blocked. Every piece of text that
comes from the data (post texts, words, ids, file names) goes through
:func:`escape`.
"""

from __future__ import annotations

from ..model.hierarchy import ClusterHierarchy
from . import sections, story_html
from .script import SCRIPT, SCRIPT_HASH
from .svg import escape

__all__ = ["CSP", "escape", "render_report"]

CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
       f"script-src '{SCRIPT_HASH}'; base-uri 'none'; form-action 'none'")

#: Latin, then Japanese, then simplified Chinese fonts, whichever the reader has.
FONTS = ('system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Yu Gothic", Meiryo, '
         '"Noto Sans CJK JP", "IPAexGothic", "PingFang SC", "Microsoft YaHei", '
         '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Noto Sans", sans-serif')

STYLE = """
body { font-family: %s; margin: 0 auto; max-width: 76rem; padding: 0.6rem 1.5rem 4rem;
       color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: 0.2rem 0; overflow-wrap: anywhere; }
h2 { border-top: 2px solid #ddd; padding-top: 0.8rem; margin-top: 1.6rem; }
h2#stories { border: 0; padding: 0; margin: 0.6rem 0 0.2rem; font-size: 1.2rem; }
.lede { font-size: 1.1rem; margin: 0.3rem 0; }
table { border-collapse: collapse; margin: 0.4rem 0 0.8rem; }
td, th { border-bottom: 1px solid #e3e3e3; padding: 0.15rem 0.7rem 0.15rem 0; text-align: left;
         vertical-align: top; }
th { font-weight: 600; }
header { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 1.5rem;
         align-items: start; }
header > * { grid-column: 1; }
header > table.run { grid-column: 2; grid-row: 1 / span 4; }
@media (max-width: 50rem) { header { display: block; } }
table.run { font-size: 0.75rem; color: #444; margin: 0.3rem 0 0; }
table.run td, table.run th { border: 0; padding: 0 0.6rem 0 0; }
table.run th, .emerging a { white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.4rem;
          vertical-align: -0.1rem; border-radius: 0.15rem; }
code { font-size: 0.85em; overflow-wrap: anywhere; }
img { max-width: 100%%; height: auto; display: block; margin: 0.5rem 0; }
.note { color: #555; font-size: 0.85rem; margin: 0.2rem 0; }
.warning { background: #fff3cd; border-left: 4px solid #e0a800; padding: 0.2rem 0.6rem; margin: 0.3rem 0; }
.badge { display: inline-block; border-radius: 0.3rem; padding: 0 0.4rem; font-weight: 600; }
.stable { background: #d9f2d9; } .moderate { background: #fff0c2; } .shaky { background: #f8d0d0; }
#overview svg { width: 100%%; height: auto; display: block; }
#overview circle { fill: #c0392b; stroke: #fff; stroke-width: 1; }
#overview a:hover circle, #overview a:focus circle { fill: #000; }
#overview text { font-size: 11px; fill: #333; text-anchor: middle; }
#overview text.tick { fill: #666; text-anchor: start; }
#overview .leader { stroke: #bbb; stroke-dasharray: 2 2; }
#overview text.name { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.tools { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; align-items: center; margin: 0.3rem 0;
         font-size: 0.9rem; }
.tools[hidden], [hidden] { display: none; }
.tools input[type=search] { width: 16rem; }
.period h3 { font-size: 0.95rem; margin: 0.5rem 0 0.2rem; color: #555; }
ol.stories { list-style: none; padding: 0; margin: 0;
             display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 0.4rem; }
ol.stories li { border: 1px solid #e0e0e0; border-radius: 0.4rem; padding: 0.3rem 0.5rem; }
ol.stories li[hidden] { display: none; }
ol.stories .name { font-weight: 600; overflow-wrap: anywhere; }
ol.stories .line { display: flex; align-items: center; gap: 0.5rem; font-size: 0.85rem; color: #444;
                   white-space: nowrap; }
ol.stories time { min-width: 3.5rem; flex: none; }
ol.stories .told { flex: none; margin-left: auto; }
.spark { flex: 0 1 96px; min-width: 2.5rem; height: 22px; }
.tags { font-size: 0.78rem; margin-top: 0.1rem; }
.tag { display: inline-block; background: #eef2f7; color: #234; border-radius: 0.6rem;
       padding: 0 0.5rem; margin: 0.1rem 0.2rem 0.1rem 0; text-decoration: none; }
.tag.rising { background: #e3f4e3; } .tag.edge { background: #fff0c2; }
article.card { border-top: 2px solid #ddd; margin-top: 1.5rem; padding-top: 0.5rem; }
article.card[hidden] { display: none; }
article.card h3 { font-size: 1.25rem; margin: 0.2rem 0; overflow-wrap: anywhere; }
.when { color: #444; margin: 0.1rem 0; }
.words { overflow-wrap: anywhere; }
.quality { font-style: italic; }
ol.loadings { columns: 3 11rem; padding-left: 1.8rem; margin: 0.3rem 0 1rem; }
ol.loadings .num { color: #555; font-size: 0.9rem; }
.posts li { margin-bottom: 0.5rem; }
.post-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.post-meta { color: #555; font-size: 0.8rem; }
details { margin: 0.6rem 0; }
details > summary { cursor: pointer; color: #234; }
#summary, #figures, #definitions { border-top: 1px solid #ddd; padding-top: 0.5rem; }
.glossary dt { font-weight: 600; margin-top: 0.5rem; }
.glossary dd { margin-left: 1.5rem; }
""" % FONTS


def render_report(page):
    """The report as an HTML string.

    Parameters
    ----------
    page : ReportPage
        What the report shows (:func:`glipca.report.page.report_page`).
    """
    doc = page.doc
    hierarchy = ClusterHierarchy.from_dict(doc["hierarchy"]) if doc.get("hierarchy") else None
    related = [] if hierarchy is None else [g for g in hierarchy.groups if len(g) >= 2]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>Trend report: {escape(page.title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        sections.header(page),
        story_html.overview(page),
        story_html.tools(page),
        story_html.story_list(page),
        sections.changes(doc),
        '<main id="cards">',
        *(story_html.story_card(s, page) for s in page.stories),
        "</main>",
    ]
    if doc.get("shared_words"):
        parts.append('<p id="shared" class="note">Words directly linked to two stories, so '
                     f'listed in neither: <span lang="{escape(page.lang)}">'
                     + escape(", ".join(map(str, doc["shared_words"]))) + "</span></p>")
    parts += [
        sections.summary(doc),
        sections.more_figures(page, hierarchy, related),
        sections.definitions(doc),
        f"<script>{SCRIPT}</script>",
        "</body></html>\n",
    ]
    return "\n".join(p for p in parts if p)
