"""The parts of the HTML report that say what the run was: header, changes,
summary, definitions and the other figures.

Each takes plain values (:class:`glipca.report.page.ReportPage`, the
``clusters.json`` document). Every value that comes from the data (words,
labels, ids, file names, the command line) goes through :func:`escape`; the
numbers are formatted here. The stories themselves are drawn by
:mod:`glipca.report.story_html`.
"""

from __future__ import annotations

from .document import cluster_name
from .plots import group_colors
from .stories import reader_date
from .svg import escape

__all__ = ["escape", "header", "changes", "summary", "definitions", "groups", "more_figures",
           "stability_badge"]

#: A warning is shown when more than this share of periods was interpolated.
MASKED_WARNING = 0.25
#: Languages named in the report's first sentence.
LANGUAGES = {"en": "English", "ja": "Japanese", "zh": "Chinese"}

_e = escape


def _rows(pairs):
    """Table rows of (header, already escaped HTML) pairs; empty values left out."""
    return "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in pairs if v not in (None, ""))


def count(n):
    """``1,240``; empty for None."""
    return "" if n is None else f"{int(n):,}"


def _size(n):
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000.0


def _periods(n, freq):
    """``61 days``, ``12 weeks``, ``30 periods of 12h``: a number of periods, in words."""
    units = {"D": "day", "W": "week", "MS": "month", "M": "month", "ME": "month",
             "h": "hour", "H": "hour"}
    unit = units.get(str(freq).split("-")[0])
    if unit is None:
        return f"{n:,} periods of {freq}"
    return f"{n:,} {unit}{'s' if n != 1 else ''}"


def _masked(summary):
    masked = summary.get("n_masked_periods")
    return len(summary.get("masked_periods") or []) if masked is None else int(masked)


def lede(page):
    """One sentence: how many stories, posts, days, in which language."""
    s = page.doc.get("summary", {})
    n = len(page.stories)
    first, last = s.get("first_period"), s.get("last_period")
    dates = ""
    if first and last:
        both = str(first)[:4] != str(last)[:4]  # a window across a new year names both years
        dates = (f" ({reader_date(first, page.freq, year=both)} to "
                 f"{reader_date(last, page.freq, year=True)})")
    language = LANGUAGES.get(page.lang, page.lang if page.lang != "und" else "")
    posts = f" in {count(s['posts_used'])} posts" if s.get("posts_used") is not None else ""
    return (f"{n} stor{'ies' if n != 1 else 'y'}{posts} over "
            f"{_periods(s.get('periods') or len(page.periods), page.freq)}{dates}"
            + (f", in {language}" if language else "") + ".")


def _inputs(run):
    inputs = run.get("inputs")
    if inputs:
        files = "; ".join(
            f'{_e(i["name"])} <span class="note">({_size(i["bytes"])}; SHA-256 '
            f'<code>{_e(i["sha256"][:16])}</code>…)</span>' for i in inputs[:10])
        if len(inputs) > 10:
            files += f"; … and {len(inputs) - 10} more files (see run.json)"
        return files
    return '<span class="note">posts given as a table in Python</span>' if run else None


def header(page):
    """Title, how the results were made, and the one sentence on what was found."""
    run = page.run or {}
    rows = [
        ("Input", _inputs(run)),
        ("Count store", f"{_e(run['store'])} ({len(run.get('inputs') or [])} files appended)"
         if run.get("store") else None),
        ("Command", f"<code>{_e(run['command'])}</code>" if run.get("command") else None),
        ("Made with", f"glipca {_e(run.get('glipca_version') or page.doc.get('glipca_version', ''))}"),
        # Filled in by the page's script from the file's modification time.
        ("Written", '<time id="written">when this file was last written (its modification '
                    "time)</time>"),
        ("Results folder", _e(page.folder)),
    ]
    parts = [f"<header><h1>Trend report: {_e(page.title)}</h1>",
             f'<table class="run">{_rows(rows)}</table>',
             f'<p class="lede">{_e(lede(page))}</p>', *_warnings(page), "</header>"]
    return "\n".join(parts)


def _warnings(page):
    s = page.doc.get("summary", {})
    masked, periods = _masked(s), s.get("periods") or 0
    if periods and masked / periods > MASKED_WARNING:
        yield (f'<p class="warning">{masked} of {periods} periods ({masked / periods:.0%}) '
               "had too few posts: their values are interpolated, and lines drawn across "
               "them are not data.</p>")
    emerging = [st for st in page.stories if st.emerging]
    if emerging:
        items = ", ".join(f'<a href="#story-{st.id}">{_e(st.label)}</a>' for st in emerging)
        yield f'<p class="emerging"><b>Emerging:</b> still rising at the last period: {items}.</p>'



def changes(doc):
    """What changed since the previous run (``--against``), or "" without one."""
    c = doc.get("changes")
    if not c:
        return ""
    by_id = {x["id"]: x for x in doc["clusters"]}

    def link(cid):
        return f'<a href="#cluster-{int(cid)}">{_e(cluster_name(by_id[cid]))}</a>'

    rows = [
        ("Appeared", "; ".join(link(i) for i in c["appeared"])),
        ("Grew", "; ".join(f'{link(x["id"])} (peak share {_share(x)})' for x in c["grew"])),
        ("Faded", "; ".join(f'{link(x["id"])} (peak share {_share(x)})' for x in c["faded"])),
        ("Vanished", "; ".join(f'{_e(" ".join(map(str, x["words"][:4])))} (peak {_e(x["peak"])}'
                               + (", before this window)" if x.get("before_window") else ")")
                               for x in c["vanished"])),
        ("Split, merged or regrouped", "; ".join(
            f'{_e(x["kind"])}: {", ".join(map(str, x["previous_ids"]))} → '
            + ", ".join(link(i) for i in x["ids"]) for x in c["reshaped"])),
        ("Unchanged", count(len(c["kept"]))),
    ]
    return (f'<section><h2 id="changes">Since {_e(c["against"])}</h2><p class="note">Stories '
            "matched with those of the previous results by their words and peaks; a story grew "
            "or faded when the share of posts at its peak changed by a factor of 1.2 or more.</p>"
            f'<table class="summary">{_rows(rows)}</table></section>')


def _share(x):
    a, b = x["peak_frequency"]
    return f"{100 * a:.2g}% → {100 * b:.2g}%"


def summary(doc):
    """Counts of the run and the parameters a reader needs to judge it."""
    s, p = doc.get("summary", {}), doc.get("params", {})
    skipped = s.get("skipped_by_reason") or {}
    dropped = s.get("dropped_by_reason") or {}
    alpha = s.get("alpha")
    chosen = (p.get("glipca") or {}).get("alpha", "auto")
    peak_test = p.get("peak_test") or {}
    rows = [
        ("Posts read", count(s.get("posts_read"))),
        ("Posts used", count(s.get("posts_used"))),
        ("Posts skipped", count(s.get("posts_skipped"))
         + (f" ({_e(', '.join(f'{k}: {v}' for k, v in skipped.items()))})" if skipped else "")),
        ("Posts dropped", _e(", ".join(f"{k}: {v}" for k, v in dropped.items())) if dropped
         else None),
        ("Periods", f'{count(s.get("periods"))} ({_e(s.get("first_period"))} to '
                    f'{_e(s.get("last_period"))}, {_e(p.get("freq", "D"))}, {_e(p.get("tz", ""))})'),
        ("Low-volume periods (interpolated)", _masked_text(s)),
        ("Vocabulary", count(s.get("vocabulary"))),
        ("Words kept", count(s.get("words"))),
        ("Candidate trend words", count(s.get("candidate_words"))),
        ("Graphical lasso penalty λ", None if alpha is None else
         f"{alpha:.4g}" + (" (chosen automatically)" if chosen == "auto" else " (given)")),
        ("Direct links", count(s.get("graph_edges"))),
        ("Trend clusters", count(s.get("clusters"))),
        ("Mean coherence", None if s.get("mean_coherence") is None
         else f'{s["mean_coherence"]:.2f}'),
        ("Language", _e(p.get("lang"))),
        ("Time zone", _e(p.get("tz"))),
        ("Word filter", f'in {_e(p.get("min_count"))} posts and {_e(p.get("min_periods"))} '
                        f'periods or more; at most {_e(p.get("max_words"))} words'),
        ("Single-peak test", f'prominence of {_e(peak_test.get("min_z"))} noise units or more'
         if peak_test.get("min_z") is not None else None),
    ]
    return ('<details id="summary"><summary>About this run: posts, periods, words, settings'
            f'</summary><table class="summary">{_rows(rows)}</table></details>')


def _masked_text(s):
    masked = s.get("masked_periods") or []
    if not masked:
        return None
    shown = ", ".join(map(str, masked[:12])) + (" …" if len(masked) > 12 else "")
    n, periods = _masked(s), s.get("periods") or 0
    share = f" of {periods:,} ({n / periods:.0%})" if periods else ""
    return f"{n:,}{share}: {_e(shown)}"


def definitions(doc):
    """What the words of the report mean, in plain words, with this run's settings."""
    p = doc.get("params", {})
    boot = p.get("stability") or {}
    window = (p.get("posts") or {}).get("window", 3)
    items = [
        ("Story", "Words that become popular at the same time and are used together: their "
         "share of posts rises to one peak together. Today each story is one trend cluster."),
        ("Share of posts", "Of all the posts of a period, the part that holds a word. A story's "
         "share is that of its most frequent word; the overview adds up, per period, how far "
         "each story rises above its usual share."),
        ("Peak and span", "The period where the story's words are highest together, and the "
         "run of periods around it at half that height or more."),
        ("Told by", "The posts near the peak that hold two of the story's words or more."),
        ("Direct link", "Two words linked in the graph move together even when every other "
         "word is taken into account; two words that only follow a third get no link. A "
         "thicker line is a stronger link; red dashed lines go opposite ways. The graphical "
         "lasso finds the links; its penalty λ keeps fewer links when larger."),
        ("Words share posts", "How often the story's words are written in the same posts near "
         "its peak (the mean normalised pointwise mutual information, NPMI, of pairs of its "
         "first 10 words, from −1 to 1): strong from 0.3, moderate from 0.1, weak above 0. "
         "Words that rise together but never meet in a post may be two stories."),
        ("Found again", f"The story's {boot.get('top_k', 5)} most central words are looked for "
         f"again in up to {boot.get('n_resamples', 20)} resamples (fewer once the scores "
         f"settle), each keeping a random "
         f"{boot.get('fraction', 0.8):.0%} of the periods. Found in most: a sturdy story; "
         "found in few: a shaky one."),
        ("Label", "The story's two or three words that most often share posts, in the order "
         "the posts use them."),
        ("Representative posts", "Posts holding many of the story's words, posted at most "
         f"{window} periods from its peak, best first."),
        ("Numbers", "Each card's numbers: the leading eigenvalue (how much one common signal "
         "explains of the words' joint variation: at most the number of words), each word's "
         "loading (its weight in that signal; words are listed highest first), the NPMI, and "
         "the share of resamples."),
        ("Written", "The date in the header is the file's modification time: no date is "
         "written into the results, so that the same posts and options give the same files, "
         "byte for byte; the inputs' SHA-256 identify the data."),
    ]
    body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in items)
    return (f'<details id="definitions"><summary>Definitions</summary>'
            f'<dl class="glossary">{body}</dl></details>')


def stability_badge(score):
    if score is None:
        return '<span class="note">not computed</span>'
    kind = "stable" if score >= 0.8 else "moderate" if score >= 0.5 else "shaky"
    return f'<span class="badge {kind}">{score:.2f} ({kind})</span>'


def _alone(n):
    if n == 0:
        return "No cluster stands alone."
    return "The other cluster stands alone." if n == 1 else f"The other {n} clusters stand alone."


def groups(hierarchy, related, clusters):
    """The groups of related clusters (two or more each), in dendrogram order."""
    by_id = {c["id"]: c for c in clusters}
    alone = len(clusters) - sum(len(g) for g in related)
    rows = []
    for g, (members, color) in enumerate(zip(related, group_colors(len(related)))):
        links = "; ".join(
            f'<a href="#cluster-{int(m)}">{int(m)}</a> {_e(cluster_name(by_id[m]))}'
            for m in members if m in by_id
        )
        rows.append(f'<tr><td class="num"><span class="swatch" style="background:{color}">'
                    f'</span>{g}</td><td>{links}</td></tr>')
    return (
        '<h3 id="groups">Groups of related clusters</h3>'
        f'<p class="note">Clusters whose signals correlate by more than '
        f"{1 - hierarchy.threshold:g} on average ({_e(hierarchy.metric)} distance cut at "
        f"{hierarchy.threshold:g}, {_e(hierarchy.method)} linkage): often one event told in "
        f"several ways, or an event and its aftermath; the dendrogram draws each group in "
        f"its colour. {_alone(alone)}</p>"
        f'<table><tr><th>Group</th><th>Clusters</th></tr>{"".join(rows)}</table>'
    )


def figure(page, name, alt):
    """The figure file ``name`` beside the page, or nothing when there is none."""
    if name not in page.figures:
        return ""
    width, height = page.figures[name]
    return (f'<img src="{_e(name)}" width="{int(width)}" height="{int(height)}" '
            f'loading="lazy" alt="{_e(alt)}">')


def more_figures(page, hierarchy, related):
    """The whole-run figures, collapsed: timeline, heatmap, groups and dendrogram."""
    shown = [
        '<p class="note">Each bar spans the periods a cluster stays above half its peak; '
        "the dot marks the peak; the colour is its stability (dark: shaky).</p>",
        figure(page, "timeline.png", "Timeline of trend clusters"),
        '<p class="note">Each cluster\'s three most central words, each to its own maximum '
        "(black), by period; clusters in dendrogram order, separated by red lines.</p>",
        figure(page, "heatmap.png", "Heatmap of words by period"),
    ] if "timeline.png" in page.figures else []
    if related:
        shown += [groups(hierarchy, related, page.doc["clusters"]),
                  figure(page, "dendrogram.png", "Dendrogram of trend clusters")]
    if not shown:
        return ""
    return ('<details id="figures"><summary>All clusters at once: timeline, heatmap'
            + (", groups" if related else "") + "</summary>" + "".join(shown) + "</details>")
