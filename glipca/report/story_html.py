"""The stories in HTML: the overview, the story list, the tools and the cards.

Each function takes plain values (:class:`glipca.report.page.ReportPage`,
:class:`glipca.report.stories.StoryView`) and returns HTML. Every value that
comes from the data (labels, words, post texts, ids, URLs) goes through
:func:`escape`. Everything works without scripts: each list item links to
its card, the chart's peaks link to theirs; the search, date and sort tools
are hidden until the page's script shows them.
"""

from __future__ import annotations

import pandas as pd

from .sections import count, figure, stability_badge
from .set_aside import set_aside_html
from .stories import reader_date, sparkline_values, wall_time
from .svg import LABELLED, escape, overview_chart, sparkline

__all__ = ["coherence_words", "overview", "quality_words", "story_card", "story_list", "told_by",
           "tools"]

_e = escape

#: Above this many stories, the list gets week or month headings.
GROUPED_ABOVE = 12
#: Above this many days, the headings are months, else weeks.
MONTHS_ABOVE_DAYS = 31
#: Characters of a label named on the overview chart.
CHART_LABEL = 28


def told_by(story):
    """``told by 1,240 posts``, or the number of words when posts were not counted."""
    if story.n_posts is None:
        n = len(story.words)
        return f"{n} word{'s' if n != 1 else ''}"
    return f"told by {count(story.n_posts)} post{'s' if story.n_posts != 1 else ''}"


def _size(story):
    """What ranks stories by size: posts that tell it, else its largest share."""
    return story.n_posts if story.n_posts is not None else max(story.share, default=0.0)


def _short(text, n=CHART_LABEL):
    return text if len(text) <= n else text[:n - 1] + "…"


def _ticks(periods, freq):
    """Axis labels at the first period of each month (or each year for long windows)."""
    times = pd.DatetimeIndex([wall_time(p) for p in periods])
    if len(times) == 0:
        return []
    days = (times[-1] - times[0]).days
    ticks, last = [], None
    for k, t in enumerate(times):
        key = t.year if days > 800 else (t.year, t.month) if days > 40 else (t.year, t.month, t.day)
        if key != last and (days > 40 or k % max(len(times) // 8, 1) == 0):
            ticks.append((k, str(t.year) if days > 800 else reader_date(periods[k], freq)))
        last = key
    return ticks


def overview(page):
    """The overview: the share of posts per period with the stories' peaks."""
    if not page.stories:
        return ('<section id="overview"><p>No stories were found: no words rose to one peak '
                "together.</p>" + set_aside_html(page.doc) + "</section>")
    position = {p: k for k, p in enumerate(page.periods)}
    ranked = sorted(page.stories, key=lambda s: (-_size(s), s.peak, s.id))
    named = {s.id for s in ranked[:LABELLED]}
    peaks = [(position.get(s.peak, 0), f"story-{s.id}", _short(s.label),
              f"{reader_date(s.peak, page.freq)}: {s.label} ({told_by(s)})", s.id in named)
             for s in ranked]
    chart = overview_chart(page.total, _ticks(page.periods, page.freq), peaks, lang=page.lang)
    return (f'<section id="overview" lang="{_e(page.lang)}">{chart}'
            '<p class="note">How much the stories were told: per period, the share of posts '
            "holding their words, above each story's usual level, added up. Dots are the "
            "stories' peaks (hover for a name, click for the story); the largest are named."
            "</p></section>")


def tools(page):
    """Search, date range and sort, hidden until the page's script makes them work."""
    if not page.stories:
        return ""
    first, last = page.periods[0][:10], page.periods[-1][:10]
    return (
        '<form id="tools" class="tools" hidden role="search">'
        '<label>Search <input id="q" type="search" placeholder="words, labels, post text" '
        'autocomplete="off"></label>'
        f'<label>From <input id="from" type="date" min="{_e(first)}" max="{_e(last)}"></label>'
        f'<label>to <input id="to" type="date" min="{_e(first)}" max="{_e(last)}"></label>'
        '<label>Sort by <select id="sort"><option value="date">date</option>'
        '<option value="size">size</option><option value="emergence">emergence</option>'
        '</select></label><output id="shown"></output></form>'
    )


def _group_key(label, days, freq):
    t = wall_time(label)
    if str(freq).split("-")[0] in ("MS", "M", "ME"):
        return str(t.year)
    if days > MONTHS_ABOVE_DAYS:
        return t.strftime("%B %Y")
    monday = (t - pd.Timedelta(days=t.day_of_week)).normalize()
    return f"Week of {reader_date(monday.strftime('%Y-%m-%d'))}"


def _ranks(stories, key):
    order = sorted(stories, key=key)
    return {s.id: k for k, s in enumerate(order)}


def story_list(page):
    """The stories in time order, each linking to its card; headings when many."""
    stories = page.stories
    if not stories:
        return ""
    by_size = _ranks(stories, lambda s: (-_size(s), s.peak, s.id))
    # Emerging first, fastest rising first; then the latest peaks.
    by_rise = _ranks(stories, lambda s: (
        s.emerging is None, -((s.emerging or {}).get("growth_rate") or 0),
        tuple(-ord(ch) for ch in s.peak), s.id))
    items = [(s, _item(s, page, by_size[s.id], by_rise[s.id])) for s in stories]
    days = (wall_time(page.periods[-1]) - wall_time(page.periods[0])).days
    head = '<h2 id="stories">Stories</h2>'
    if len(stories) <= GROUPED_ABOVE:
        return f'{head}<div id="story-list"><ol class="stories">{"".join(h for _, h in items)}</ol></div>'
    groups, order = {}, []
    for s, h in items:
        key = _group_key(s.peak, days, page.freq)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(h)
    body = "".join(f'<section class="period"><h3>{_e(k)}</h3><ol class="stories">'
                   f'{"".join(groups[k])}</ol></section>' for k in order)
    return f'{head}<div id="story-list">{body}</div>'


def _tags(story):
    tags = [f'<a class="tag" href="#cluster-{fid}">{_e(text)}</a>' if fid is not None
            else f'<span class="tag">{_e(text)}</span>' for text, fid in story.tags]
    if story.emerging:
        tags.insert(0, '<span class="tag rising">↗ emerging</span>')
    if story.edge:
        tags.append('<span class="tag edge">at the edge of the data</span>')
    return "".join(tags)


def _item(story, page, size_rank, rise_rank):
    when = reader_date(story.peak, page.freq)
    spark = sparkline(sparkline_values(story), label=f"share of posts of {story.label}")
    return (
        f'<li data-story="{story.id}" data-peak="{_e(story.peak[:10])}" data-size="{size_rank}" '
        f'data-emergence="{rise_rank}"><a class="name" href="#story-{story.id}" '
        f'lang="{_e(page.lang)}">{_e(story.label)}</a>'
        f'<div class="line"><time datetime="{_e(story.peak)}">{_e(when)}</time>{spark}'
        f'<span class="told">{_e(told_by(story))}</span></div>'
        f'<div class="tags" lang="{_e(page.lang)}">{_tags(story)}</div></li>'
    )


def coherence_words(value):
    """``strong``: how much a story's words share posts, in a word."""
    if value >= 0.3:
        return "strong"
    if value >= 0.1:
        return "moderate"
    return "weak" if value > 0 else "hardly ever"


def quality_words(story):
    """``Its words share posts: strong. Found again in 18 of 20 resamples.``"""
    said = []
    if story.coherence is not None:
        said.append(f"Its words share posts: {coherence_words(story.coherence)}.")
    if story.stability is not None and story.n_resamples:
        found = int(round(story.stability * story.n_resamples))
        said.append(f"Found again in {found} of {int(story.n_resamples)} resamples.")
    return " ".join(said)


def _dates(story, freq):
    peak = reader_date(story.peak, freq, year=True)
    span = "" if story.start == story.end else (
        f", from {reader_date(story.start, freq)} to {reader_date(story.end, freq)}")
    rising = story.emerging
    if rising:
        since = reader_date(rising["rising_since"], freq) if rising.get("rising_since") else "?"
        rate = rising.get("growth_rate")
        span += f"; still rising since {since}" + ("" if rate is None else f", {rate:+.0%} per period")
    return f"Peak {peak}{span}"


def _post(p, lang):
    ident = _e(p.id)
    if p.url:
        ident = f'<a href="{_e(p.url)}" rel="noopener noreferrer nofollow">{ident}</a>'
    when = _e(p.time[:16].replace("T", " "))
    return (f'<li><div class="post-text" lang="{_e(lang)}">{_e(p.text)}</div>'
            f'<div class="post-meta"><time datetime="{_e(p.time)}">{when}</time> · id {ident}'
            "</div></li>")


def _numbers(story):
    """The technical numbers of a story's facets, for the collapsed details."""
    parts = []
    for f in story.facets:
        rows = [("Cluster", str(f.id)),
                ("Leading eigenvalue", None if f.eigenvalue is None else f"{f.eigenvalue:.3g}"),
                ("Direct links", None if f.edges is None else str(int(f.edges))),
                ("Largest share at the peak", None if f.peak_frequency is None
                 else f"{100 * f.peak_frequency:.2g}% of posts"),
                ("Coherence (NPMI)", None if story.coherence is None
                 else f"{story.coherence:.2f}"),
                ("Stability", stability_badge(story.stability))]
        table = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
        loadings = "".join(f"<li><span>{_e(w)}</span> <span class=\"num\">{x:.3f}</span></li>"
                           for w, x in zip(f.words, f.loadings))
        parts.append(f'<table>{table}</table><div class="note">Words and their loadings</div>'
                     f'<ol class="loadings">{loadings}</ol>')
    return "".join(parts)


def story_card(story, page):
    """One story's card: what, when, the figure, the words, the posts, how sure."""
    lang = _e(page.lang)
    facets = "".join(f'<span id="cluster-{f.id}"></span>' for f in story.facets)
    images = "".join(figure(page, f.figure, f"Series and direct-correlation graph of the words "
                                            f"of cluster {f.id}") for f in story.facets if f.figure)
    posts = ('<p class="note">No post near the peak holds two of its words or more (or posts '
             "were not kept).</p>" if not story.posts else
             '<ol class="posts">' + "".join(_post(p, page.lang) for p in story.posts) + "</ol>")
    related = ""
    if story.related:
        related = ('<p class="note">Related stories: ' + ", ".join(
            f'<a href="#story-{r}">{_e(_label_of(page, r))}</a>' for r in story.related) + "</p>")
    quality = quality_words(story)
    return "\n".join([
        f'<article class="card" id="story-{story.id}" data-story="{story.id}">{facets}',
        f'<h3 lang="{lang}">{_e(story.label)}</h3>',
        f'<p class="when">{_e(_dates(story, page.freq))} · {_e(told_by(story))}</p>',
        f'<div class="tags" lang="{lang}">{_tags(story)}</div>',
        images,
        f'<p><b>Words:</b> <span class="words" lang="{lang}">{_e(", ".join(story.words))}</span></p>',
        f"<h4>Posts</h4>{posts}",
        f'<p class="quality">{_e(quality)}</p>' if quality else "",
        related,
        f"<details><summary>Numbers</summary>{_numbers(story)}</details>",
        '<p class="back"><a href="#stories">Back to the list</a></p></article>',
    ])


def _label_of(page, sid):
    return next((s.label for s in page.stories if s.id == sid), str(sid))
