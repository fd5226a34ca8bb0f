"""How a notebook shows a result, its stories and its clusters: plain text and HTML.

The functions take a :class:`glipca.result.TrendResult` or one of its
clusters; :class:`StoryTable` and :class:`StoryCard` take
:class:`glipca.report.stories.StoryView` values. Every word shown goes
through :func:`glipca.report.svg.escape`.
"""

from __future__ import annotations

import base64

import pandas as pd

from ..counting.periods import period_label
from .figures import DPI
from .plots import png_bytes
from .stories import reader_date, sparkline_values
from .story_html import quality_words, told_by
from .svg import escape, sparkline

__all__ = ["StoryCard", "StoryTable", "cluster_html", "cluster_text", "png_uri", "result_html",
           "result_text"]

#: Clusters listed by the displays of a result.
DISPLAY_ROWS = 60
#: Words named per cluster in the displays of a result.
DISPLAY_WORDS = 6


def png_uri(fig):
    """The figure as a PNG data URI, for a notebook's HTML."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(fig, dpi=DPI)).decode("ascii")


def _stability(cluster):
    return "not computed" if cluster.stability is None else f"{cluster.stability:.2f}"


def _coherence(cluster):
    return "-" if cluster.coherence is None else f"{cluster.coherence:.2f}"


def _shown(cluster, more):
    return " ".join(cluster.words[:DISPLAY_WORDS]) + (more if cluster.size > DISPLAY_WORDS else "")


def cluster_text(c):
    told = "" if c.label is None else f" {c.label!r}, coherence {_coherence(c)},"
    return (f"<Cluster {c.id}:{told} peak {period_label(c.peak)}, {c.size} words, "
            f"stability {_stability(c)}: {_shown(c, ' ...')}>")


def cluster_html(c):
    words = "".join(
        f'<tr><td>{escape(w)}</td><td style="text-align:right">{x:.3f}</td></tr>'
        for w, x in zip(c.words, c.loadings)
    )
    span = f"{period_label(c.start)} to {period_label(c.end)}" if c.start is not None else ""
    facts = [("Peak", period_label(c.peak)), ("Span at half height", span),
             ("Words", c.size), ("Stability", _stability(c))]
    if c.label is not None:
        facts[:0] = [("Label", c.label)]
        facts += [("Coherence", _coherence(c)), ("Posts sharing its words", c.n_posts_cooccur)]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    figure = ""
    if c._result is not None and c.size:
        figure = (f'<img src="{png_uri(c.plot(max_words=8))}" '
                  f'alt="Series of the words of cluster {c.id}">')
    return (
        f'<div class="glipca-cluster"><strong>Cluster {c.id}</strong>'
        f'<div style="display:flex;gap:1.5em;align-items:flex-start">'
        f"<table>{rows}</table><table><tr><th>Word</th><th>Loading</th></tr>{words}</table>"
        f"</div>{figure}</div>"
    )


def _headline(result):
    s = result.summary
    n = len(result.clusters)
    text = f"{n} trend cluster{'s' if n != 1 else ''}"
    if s:
        text += (f" in {s.get('posts_used', '?')} posts, {s.get('periods', '?')} periods "
                 f"({s.get('first_period', '?')} to {s.get('last_period', '?')}), "
                 f"{s.get('candidate_words', '?')} candidate words")
        if s.get("alpha") is not None:
            text += f", λ = {s['alpha']:.3g}"
        if s.get("mean_coherence") is not None:
            text += f", mean coherence {s['mean_coherence']:.2f}"
    return text


def _told(result):
    """Whether the clusters carry labels and coherence (the co-occurrence test ran)."""
    return any(c.label is not None for c in result.clusters)


def result_text(result):
    lines = [f"<TrendResult: {_headline(result)}>"]
    told = _told(result)
    for c in result.clusters[:DISPLAY_ROWS]:
        stability = "   -" if c.stability is None else f"{c.stability:4.2f}"
        shown = _shown(c, ' ...')
        if told:
            shown = f"{_coherence(c):>5}  {c.label or '':<24}  {shown}"
        rising = f"  (emerging since {period_label(c.rising_since)})" if c.emerging else ""
        lines.append(f"  {c.id:3d}  {period_label(c.peak)}  {c.size:3d}  {stability}  {shown}{rising}")
    if len(result.clusters) > DISPLAY_ROWS:
        lines.append(f"  ... {len(result.clusters) - DISPLAY_ROWS} more clusters")
    return "\n".join(lines)


def result_html(result):
    rows = []
    told = _told(result)
    for c in result.clusters[:DISPLAY_ROWS]:
        story = ""
        if told:
            story = (f"<td>{escape(c.label or '')}</td>"
                     f'<td style="text-align:right">{escape(_coherence(c))}</td>')
        rows.append(
            f'<tr><td style="text-align:right">{c.id}</td><td>{escape(period_label(c.peak))}'
            f'{" ↗ emerging" if c.emerging else ""}</td>'
            f'<td style="text-align:right">{c.size}</td>'
            f'<td style="text-align:right">{escape(_stability(c))}</td>{story}'
            f"<td>{escape(_shown(c, ' …'))}</td></tr>"
        )
    more = ""
    if len(result.clusters) > DISPLAY_ROWS:
        more = f"<p>… {len(result.clusters) - DISPLAY_ROWS} more clusters</p>"
    shared = ""
    if result.shared_words:
        shared = f"<p>Shared words (in no cluster): {escape(', '.join(result.shared_words))}</p>"
    return (
        f'<div class="glipca-result"><p><strong>TrendResult</strong>: {escape(_headline(result))}'
        "</p><table><thead><tr><th>cluster</th><th>peak</th><th>size</th><th>stability</th>"
        + ("<th>label</th><th>coherence</th>" if told else "")
        + f"<th>top words</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        f"</table>{more}{shared}</div>"
    )


# -- stories ------------------------------------------------------------------


class StoriesFrame(pd.DataFrame):
    """One row per story (a DataFrame) that a notebook shows as the story
    table, with a sparkline of each story's share of posts."""

    _metadata = ["_table"]

    @property
    def _constructor(self):
        # A slice or a computation is a plain frame: its rows may no longer
        # be the stories the table shows.
        return pd.DataFrame

    def _repr_html_(self):
        table = getattr(self, "_table", None)
        if table is None or len(table) != len(self):
            return super()._repr_html_()
        return table._repr_html_()


def stories_frame(frame, table):
    """``frame`` (one row per story) shown in a notebook as ``table`` (:class:`StoryTable`)."""
    out = StoriesFrame(frame)
    out._table = table
    return out


class StoryTable(tuple):
    """The stories of a result, in time order; a notebook shows them as a table
    with a sparkline of each story's share of posts."""

    def __new__(cls, stories, *, freq="D", lang="und"):
        table = super().__new__(cls, stories)
        table.freq, table.lang = freq, lang
        return table

    def __repr__(self):
        lines = [f"<{len(self)} stories>"]
        for k, s in enumerate(self[:DISPLAY_ROWS]):
            lines.append(f"  {k:3d}  {reader_date(s.peak, self.freq):>12}  {told_by(s):<20}  {s.label}")
        if len(self) > DISPLAY_ROWS:
            lines.append(f"  ... {len(self) - DISPLAY_ROWS} more stories")
        return "\n".join(lines)

    def _repr_html_(self):
        rows = "".join(
            f'<tr><td style="text-align:right">{k}</td>'
            f'<td lang="{escape(self.lang)}"><b>{escape(s.label)}</b></td>'
            f"<td>{escape(reader_date(s.peak, self.freq))}</td>"
            f"<td>{sparkline(sparkline_values(s), label=f'share of posts of {s.label}')}</td>"
            f"<td>{escape(told_by(s))}</td>"
            f'<td lang="{escape(self.lang)}">{escape(", ".join(t for t, _ in s.tags))}</td></tr>'
            for k, s in enumerate(self[:DISPLAY_ROWS])
        )
        more = (f"<p>… {len(self) - DISPLAY_ROWS} more stories</p>"
                if len(self) > DISPLAY_ROWS else "")
        return ('<div class="glipca-stories"><table><thead><tr><th>story</th><th>label</th>'
                "<th>peak</th><th>share of posts</th><th>size</th><th>also</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>{more}</div>")


class StoryCard:
    """One story as a notebook shows it: label, dates, figure, words and posts.

    ``figures`` draws the figures of the story's facets (a callable
    returning matplotlib Figures), only when the card is shown.
    """

    def __init__(self, story, *, figures=None, freq="D", lang="und"):
        self.story, self.freq, self.lang = story, freq, lang
        self._figures = figures

    def __repr__(self):
        s = self.story
        posts = "".join(f"\n  - {p.time[:16]}  {p.text[:100]}" for p in s.posts)
        return (f"<Story {s.id}: {s.label!r}, peak {reader_date(s.peak, self.freq, year=True)}, "
                f"{told_by(s)}; words: {', '.join(s.words)}>{posts}")

    def _repr_html_(self):
        s, lang = self.story, escape(self.lang)
        images = "".join(f'<img src="{png_uri(fig)}" alt="Series and direct-correlation graph '
                         f'of the words of story {s.id}">' for fig in (self._figures() if
                                                                         self._figures else []))
        posts = "".join(f'<li><span lang="{lang}">{escape(p.text)}</span><br>'
                        f'<small>{escape(p.time[:16].replace("T", " "))} · id {escape(p.id)}'
                        "</small></li>" for p in s.posts)
        quality = " ".join(x for x in (quality_words(s),) if x)
        return (f'<div class="glipca-story"><h3 lang="{lang}">{escape(s.label)}</h3>'
                f"<p>{escape(reader_date(s.peak, self.freq, year=True))} · {escape(told_by(s))}"
                f"{' · ' + escape(quality) if quality else ''}</p>{images}"
                f'<p><b>Words:</b> <span lang="{lang}">{escape(", ".join(s.words))}</span></p>'
                f"<ol>{posts}</ol></div>")
