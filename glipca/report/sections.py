"""The sections of the HTML report, each a function of the results folder's content.

Every value that comes from the data (words, labels, post texts, ids, file
names, the command line) goes through :func:`escape`; the numbers are
formatted here. Optional fields (``label``, ``coherence``,
``n_posts_cooccur``, ``edge``, ``emerging``) are shown when the clusters
carry them; emerging clusters are listed first.
"""

from __future__ import annotations

import html

from .document import cluster_name, emerging_first
from .set_aside import set_aside_html

__all__ = ["escape", "header", "changes", "how_to_read", "cluster_table", "groups",
           "cluster_section"]

#: A warning is shown when more than this share of periods was interpolated.
MASKED_WARNING = 0.25


def escape(value):
    """Escaped text of any value, quotes included (safe in attributes too)."""
    return html.escape("" if value is None else str(value), quote=True)


_e = escape


def _rows(pairs):
    """Table rows of (header, already escaped HTML) pairs; empty values left out."""
    return "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in pairs if v not in (None, ""))


def _count(n):
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


def title_of(run, folder_name):
    """The report's title: the input files, else the results folder's name."""
    inputs = (run or {}).get("inputs") or []
    if (run or {}).get("store"):
        return f"count store {run['store']}"
    if not inputs:
        return folder_name
    names = [i["name"] for i in inputs]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more files" if len(names) > 3 else "")


def header(doc, run, folder_name):
    """Title, one line on what was found, how the results were made, data warnings."""
    s, p = doc.get("summary", {}), doc.get("params", {})
    clusters = doc["clusters"]
    n = len(clusters)
    lede = (f"{n} trend cluster{'s' if n != 1 else ''} in {_count(s.get('posts_used'))} posts "
            f"from {s.get('first_period')} to {s.get('last_period')} "
            f"({_periods(s.get('periods') or 0, p.get('freq', 'D'))}, {p.get('tz', 'UTC')})")
    run = run or {}
    inputs = run.get("inputs")
    if inputs:
        files = "<br>".join(
            f'{_e(i["name"])} <span class="note">({_size(i["bytes"])}; SHA-256 '
            f'<code>{_e(i["sha256"][:16])}</code>…)</span>' for i in inputs[:10])
        if len(inputs) > 10:
            files += f"<br>… and {len(inputs) - 10} more files (see run.json)"
    else:
        files = '<span class="note">posts given as a table in Python</span>' if run else None
    rows = [
        ("Input", files),
        ("Count store", f"{_e(run['store'])} ({len(inputs or [])} files appended)"
         if run.get("store") else None),
        ("Command", f"<code>{_e(run['command'])}</code>" if run.get("command") else None),
        ("Made with", f"glipca {_e(run.get('glipca_version') or doc.get('glipca_version', ''))}"),
        # Filled in by the page's one script from the file's modification time.
        ("Written", '<time id="written">when this file was last written (its modification '
                    "time)</time>"),
        ("Results folder", _e(folder_name)),
    ]
    parts = [f"<header><h1>Trend report: {_e(title_of(run, folder_name))}</h1>",
             f'<p class="lede">{_e(lede)}.</p>', f'<table class="run">{_rows(rows)}</table>',
             '<p class="note">The date above is the file\'s modification time: no date is '
             "written into the results, so that the same posts and options give the same "
             "files, byte for byte; the inputs' SHA-256 identify the data.</p>"]
    masked, periods = _masked(s), s.get("periods") or 0
    if periods and masked / periods > MASKED_WARNING:
        parts.append(f'<p class="warning">{masked} of {periods} periods ({masked / periods:.0%}) '
                     "had too few posts: their values are interpolated, and lines drawn across "
                     "them are not data.</p>")
    emerging = [c for c in clusters if c.get("emerging")]
    if emerging:
        items = "; ".join(f'<a href="#cluster-{int(c["id"])}">{int(c["id"])}</a> '
                          f"{_e(cluster_name(c))} ({_rising(c)})" for c in emerging)
        parts.append(f'<p class="emerging"><b>Emerging:</b> still rising at the last observed '
                     f"period: {items}.</p>")
    edge = [c for c in clusters if c.get("edge")]
    if edge:
        ids = ", ".join(f'<a href="#cluster-{int(c["id"])}">{int(c["id"])}</a>' for c in edge)
        one = len(edge) == 1
        parts.append(f'<p class="warning">{"Cluster" if one else "Clusters"} {ids} '
                     f'{"peaks" if one else "peak"} at the first or last observed period: '
                     f'{"its event" if one else "their events"} may have begun before the data '
                     "or gone on after.</p>")
    parts.append("</header>")
    return "\n".join(parts)


def changes(doc):
    """What changed since the previous run (``--against``), or "" without one."""
    c = doc.get("changes")
    if not c:
        return ""
    by_id = {x["id"]: x for x in doc["clusters"]}

    def link(cid):
        return f'<a href="#cluster-{int(cid)}">{int(cid)}</a> {_e(cluster_name(by_id[cid]))}'

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
        ("Unchanged", _count(len(c["kept"]))),
    ]
    return (f'<h2 id="changes">Since {_e(c["against"])}</h2><p class="note">Clusters matched '
            "with those of the previous results by their words and peaks; a cluster grew or "
            "faded when the share of posts at its peak changed by a factor of 1.2 or more.</p>"
            f'<table class="summary">{_rows(rows)}</table>')


def _share(x):
    a, b = x["peak_frequency"]
    return f"{100 * a:.2g}% → {100 * b:.2g}%"


def _rising(c):
    return f'rising since {_e(c["rising_since"])}, {c["growth_rate"]:+.0%} per period'


def summary(doc):
    """Counts of the run and the parameters a reader needs to judge it."""
    s, p = doc.get("summary", {}), doc.get("params", {})
    skipped = s.get("skipped_by_reason") or {}
    dropped = s.get("dropped_by_reason") or {}
    alpha = s.get("alpha")
    chosen = (p.get("glipca") or {}).get("alpha", "auto")
    peak_test = p.get("peak_test") or {}
    rows = [
        ("Posts read", _count(s.get("posts_read"))),
        ("Posts used", _count(s.get("posts_used"))),
        ("Posts skipped", _count(s.get("posts_skipped"))
         + (f" ({_e(', '.join(f'{k}: {v}' for k, v in skipped.items()))})" if skipped else "")),
        ("Posts dropped", _e(", ".join(f"{k}: {v}" for k, v in dropped.items())) if dropped
         else None),
        ("Periods", f'{_count(s.get("periods"))} ({_e(s.get("first_period"))} to '
                    f'{_e(s.get("last_period"))}, {_e(p.get("freq", "D"))}, {_e(p.get("tz", ""))})'),
        ("Low-volume periods (interpolated)", _masked_text(s)),
        ("Vocabulary", _count(s.get("vocabulary"))),
        ("Words kept", _count(s.get("words"))),
        ("Candidate trend words", _count(s.get("candidate_words"))),
        ("Graphical lasso penalty λ", None if alpha is None else
         f"{alpha:.4g}" + (" (chosen automatically)" if chosen == "auto" else " (given)")),
        ("Direct links", _count(s.get("graph_edges"))),
        ("Trend clusters", _count(s.get("clusters"))),
        ("Mean coherence", None if s.get("mean_coherence") is None
         else f'{s["mean_coherence"]:.2f}'),
        ("Language", _e(p.get("lang"))),
        ("Word filter", f'in {_e(p.get("min_count"))} posts and {_e(p.get("min_periods"))} '
                        f'periods or more; at most {_e(p.get("max_words"))} words'),
        ("Single-peak test", f'prominence of {_e(peak_test.get("min_z"))} noise units or more'
         if peak_test.get("min_z") is not None else None),
    ]
    return f'<h2 id="summary">Summary</h2><table class="summary">{_rows(rows)}</table>'


def _masked_text(s):
    masked = s.get("masked_periods") or []
    if not masked:
        return None
    shown = ", ".join(map(str, masked[:12])) + (" …" if len(masked) > 12 else "")
    n, periods = _masked(s), s.get("periods") or 0
    share = f" of {periods:,} ({n / periods:.0%})" if periods else ""
    return f"{n:,}{share}: {_e(shown)}"


def how_to_read(doc):
    """What the numbers mean, with this run's settings."""
    p = doc.get("params", {})
    boot = p.get("stability") or {}
    window = (p.get("posts") or {}).get("window", 3)
    items = [
        ("Trend cluster", "Words whose relative frequencies (the share of posts that hold them, "
         "per period) rise to one peak together and are directly linked to each other. The "
         "cluster's <b>peak</b> is the period where its signal (the loading-weighted mean of "
         "its words' standardised series) is highest; its <b>span</b> is the run of periods "
         "around the peak at half that height or more."),
        ("Direct link", "An edge of the graph that the graphical lasso estimates among all "
         "candidate words: a partial correlation other than zero, so the two words move "
         "together even when every other word is taken into account. Two words that only "
         "follow a third word get no link. Edge width is the size of the partial "
         "correlation; red dashed edges are negative."),
        ("λ", "The graphical lasso's penalty: a larger λ keeps fewer, stronger links. "
         "Unless given, it is chosen from the data (docs/method.md)."),
        ("Leading eigenvalue", "Of the correlation matrix of the cluster's words: how much of "
         "their joint variation one common signal explains. It is at most the number of "
         "words; close to it, the words move as one."),
        ("Loading", "A word's weight in that common signal (its entry in the leading "
         "eigenvector). Words are listed most central, highest loading, first."),
        ("Stability", f"The share of {boot.get('n_resamples', 20)} resamples, each keeping a "
         f"random {boot.get('fraction', 0.8):.0%} of the periods, in which the cluster's "
         f"{boot.get('top_k', 5)} most central words come out in one cluster again: "
         "0.8 or more is <i>stable</i>, 0.5 to 0.8 <i>moderate</i>, below 0.5 <i>shaky</i>."),
        ("Coherence", "How often the cluster's words are used in the same posts, near its "
         "peak: the mean normalised pointwise mutual information (NPMI, −1 to 1) of pairs "
         "of its first 10 words. Above 0, the words share posts: one story. Near 0, they "
         "rise together in different posts."),
        ("Label", "The cluster's two or three words that most often share posts, in the "
         "order the posts use them."),
        ("Post score", "A representative post's share of the cluster's loadings that its "
         f"words cover, divided by 1 + its distance in periods from the peak (posts at most "
         f"{window} periods away, holding two of the cluster's words or more)."),
    ]
    body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in items)
    return f'<h2 id="reading">How to read this report</h2><dl class="glossary">{body}</dl>'


def stability_badge(score):
    if score is None:
        return '<span class="note">not computed</span>'
    kind = "stable" if score >= 0.8 else "moderate" if score >= 0.5 else "shaky"
    return f'<span class="badge {kind}">{score:.2f} ({kind})</span>'


def _coherence(c):
    return "" if c.get("coherence") is None else f'{c["coherence"]:.2f}'


def cluster_table(doc, lang):
    """The list of clusters: name, peak, span, size, stability, coherence."""
    clusters = doc["clusters"]
    if not clusters:
        return ('<h2 id="clusters">Clusters</h2><p>No trend clusters were found.</p>'
                + set_aside_html(doc))
    told = any(c.get("coherence") is not None for c in clusters)
    rows = []
    for c in emerging_first(clusters):
        cid = int(c["id"])
        span = f'{c["start"]} to {c["end"]}' if c.get("start") else ""
        words = " ".join(map(str, c["words"][:6])) + (" …" if len(c["words"]) > 6 else "")
        name = (f'<b>{_e(cluster_name(c))}</b><br><span class="note">{_e(words)}</span>'
                if c.get("label") else _e(words))
        rows.append(
            f'<tr><td class="num"><a href="#cluster-{cid}">{cid}</a></td>'
            f'<td lang="{_e(lang)}">{name}</td>'
            f'<td class="date">{_e(c["peak"])}{" ⚠" if c.get("edge") else ""}'
            f'{" ↗ emerging" if c.get("emerging") else ""}</td>'
            f'<td class="date">{_e(span)}</td><td class="num">{int(c["size"])}</td>'
            f'<td class="date">{stability_badge(c.get("stability"))}</td>'
            + (f'<td class="num">{_coherence(c)}</td>' if told else "") + "</tr>"
        )
    head = ("<tr><th>#</th><th>Cluster (label, words)</th><th>Peak</th><th>Span</th>"
            "<th>Words</th><th>Stability</th>" + ("<th>Coherence</th>" if told else "") + "</tr>")
    return (f'<h2 id="clusters">Clusters</h2><table class="clusters"><thead>{head}</thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _alone(n):
    if n == 0:
        return "No cluster stands alone."
    return "The other cluster stands alone." if n == 1 else f"The other {n} clusters stand alone."


def groups(hierarchy, related, clusters):
    """The groups of related clusters (two or more each), in dendrogram order."""
    from .plots import group_colors

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
        '<h2 id="groups">Groups of related clusters</h2>'
        f'<p class="note">Clusters whose signals correlate by more than '
        f"{1 - hierarchy.threshold:g} on average ({_e(hierarchy.metric)} distance cut at "
        f"{hierarchy.threshold:g}, {_e(hierarchy.method)} linkage): often one event told in "
        f"several ways, or an event and its aftermath; the dendrogram below draws each group in "
        f"its colour. {_alone(alone)}</p>"
        f'<table><tr><th>Group</th><th>Clusters</th></tr>{"".join(rows)}</table>'
    )


def cluster_section(c, results, group_of, image, lang):
    """One cluster: facts, words, figure (``image``, HTML) and representative posts."""
    cid = int(c["id"])
    words = [str(w) for w in c["words"]]
    span = f'{c["start"]} to {c["end"]}' if c.get("start") else None
    peak = _e(c["peak"]) + (' <span class="warning">at the edge of the data</span>'
                            if c.get("edge") else "")
    facts = [
        ("Emerging", _rising(c) if c.get("emerging") else None),
        ("Peak", peak),
        ("Span at half height", _e(span)),
        ("Words", str(int(c["size"]))),
        ("Largest share at the peak", None if c.get("peak_frequency") is None
         else f'{100 * c["peak_frequency"]:.2g}% of posts'),
        ("Leading eigenvalue", None if c.get("eigenvalue") is None else f'{c["eigenvalue"]:.3g}'),
        ("Direct links", None if c.get("edges") is None else str(int(c["edges"]))),
        ("Stability", stability_badge(c.get("stability"))),
        ("Coherence", _coherence(c) + (f' <span class="note">({int(c["n_posts_cooccur"]):,} '
                                       "posts near the peak hold two of its words or more)</span>"
                                       if c.get("n_posts_cooccur") is not None else "")
         if c.get("coherence") is not None else None),
    ]
    if cid in group_of:
        others = [m for m in group_of[cid][1] if m != cid]
        facts.append(("Related clusters", ", ".join(
            f'<a href="#cluster-{int(m)}">{int(m)}</a>' for m in others)))
    loadings = c.get("loadings") or [None] * len(words)
    items = "".join(
        f'<li><span>{_e(w)}</span><span class="num">{"" if x is None else f"{x:.3f}"}</span></li>'
        for w, x in zip(words, loadings)
    )
    return "\n".join([
        f'<section id="cluster-{cid}">',
        f'<h2>Cluster {cid}: <span lang="{_e(lang)}">{_e(cluster_name(c, 5))}</span></h2>',
        f'<div class="facts"><table>{_rows(facts)}</table>',
        f'<div><div class="note">Words, most central first, and their loadings</div>'
        f'<ol class="words" lang="{_e(lang)}">{items}</ol></div></div>',
        image,
        _posts(results.posts_of(cid), lang),
        "</section>",
    ])


def _posts(items, lang):
    if not items:
        return ('<h3>Representative posts</h3><p class="note">None: no post near the peak '
                "holds two of the cluster's words or more (or posts were not kept).</p>")
    lis = "".join(
        f'<li><div class="post-text" lang="{_e(lang)}">{_e(p.get("text"))}</div>'
        f'<div class="post-meta">{_e(p.get("time"))} · id {_e(p.get("id"))} · words: '
        f'{_e(", ".join(map(str, p.get("words", []))))} · score {float(p.get("score", 0)):.2f}'
        "</div></li>"
        for p in items
    )
    return ('<h3>Representative posts</h3><p class="note">Posts holding many of the cluster\'s '
            f'words, posted near its peak; best score first.</p><ol class="posts">{lis}</ol>')
