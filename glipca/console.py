"""What the commands print: posts read, where the counts came from, the clusters found.

Printed on stderr (the clusters on stdout), never written: times and cache
hits differ from run to run, while the results folder must not.
"""

from __future__ import annotations

import click

__all__ = ["print_posts", "cache_line", "print_summary"]


def _reasons(counter):
    return "(" + ", ".join(f"{k}: {v}" for k, v in sorted(counter.items())) + ")"


def print_posts(report):
    """``posts: R read, U used, S skipped (why), D dropped (why)``, then the input's notes."""
    line = f"posts: {report.read} read, {report.used} used, {report.n_skipped} skipped"
    if report.skipped:
        line += " " + _reasons(report.skipped)
    if report.dropped:
        line += f", {report.n_dropped} dropped " + _reasons(report.dropped)
    if report.repaired:
        line += f"; {sum(report.repaired.values())} repaired " + _reasons(report.repaired)
    click.echo(line, err=True)
    for note in report.notes:
        click.echo(f"glipca: warning: {' '.join(note.split())}", err=True)


def cache_line(key, from_cache, cache_on=True):
    if not cache_on:
        return "counts: counted (cache off)"
    if from_cache:
        return f"counts: from cache {key[:16]}"
    return f"counts: counted, cached as {key[:16]}"


def print_summary(doc, report, out, counts_line):
    """Posts, counts, periods, window, then the clusters, the emerging ones first."""
    from .report.document import emerging_first

    s = doc["summary"]
    print_posts(report)
    # Where the counts came from is printed, not stored: clusters.json stays
    # byte-identical whether or not the counts were cached.
    click.echo(counts_line, err=True)
    # How many periods had too few posts, whenever there are any: a reader
    # of the peaks must know, even below the share that is warned about.
    thin = f"; {s['n_masked_periods']} interpolated" if s.get("n_masked_periods") else ""
    click.echo(
        f"periods: {s['periods']} ({s['first_period']} .. {s['last_period']}, {doc['params']['tz']}"
        f"{thin}), words: {s['words']}, candidates: {s['candidate_words']}, alpha: {s['alpha']:.4g}",
        err=True,
    )
    if "window" in s:
        w = s["window"]
        click.echo(f"window: {w['first']} .. {w['last']} ({w['rule']}); {w['posts_outside']} posts "
                   f"outside it dropped (the posts run from {w['data_first']} to {w['data_last']})",
                   err=True)
    if "freq_auto" in s:
        tried = ", ".join(f"{t['freq']}: {t['masked']} of {t['periods']} thin"
                          for t in s["freq_auto"]["tried"])
        click.echo(f"freq: {s['freq_auto']['chosen']} chosen automatically ({tried})", err=True)
    for warning in s.get("warnings", []):
        click.echo(f"glipca: warning: {warning}", err=True)
    line = f"{s['clusters']} trend clusters written to {out}"
    if s.get("stories") is not None:
        line = f"{s['stories']} stories of {s['clusters']} trend clusters written to {out}"
    if s.get("mean_coherence") is not None:
        line += f" (mean coherence {s['mean_coherence']:.2f})"
    if s.get("emerging_clusters"):
        line += f"; {s['emerging_clusters']} emerging (marked *), listed first"
    click.echo(line, err=True)
    if "changes" in doc:
        c = doc["changes"]
        told = ", ".join(f"{len(c[k])} {k}" for k in ("appeared", "grew", "faded", "vanished",
                                                      "reshaped", "kept"))
        click.echo(f"since {c['against']}: {told}"
                   + "".join(f"; {k}: " + " ".join(map(str, _ids(c[k])))
                             for k in ("appeared", "grew", "faded") if c[k]), err=True)
    if "stories" in doc:
        _print_stories(doc)
        return
    if doc["clusters"]:
        # What the columns below are, on stderr: stdout stays one row per cluster.
        told = "label" in doc["clusters"][0]
        click.echo(_row("id", "peak", "size", ("coh.", "label") if told else None, "words"), err=True)
    for c in emerging_first(doc["clusters"]):
        click.echo(_cluster_row(c))


def _cluster_row(c, indent=""):
    """A cluster's line: id (``*`` when emerging), peak, size, coherence and label, words."""
    words = " ".join(c["words"][:8]) + (" ..." if c["size"] > 8 else "")
    story = None
    if "label" in c:
        story = ("-" if c["coherence"] is None else f"{c['coherence']:.2f}", c["label"])
    if c.get("emerging"):
        words += f"  (rising since {c['rising_since']}, {c['growth_rate']:+.0%} per period)"
    cid = f"{c['id']}*" if c.get("emerging") else c["id"]
    return indent + _row(cid, c["peak"], c["size"], story, words)


def _print_stories(doc):
    """Stories, the emerging ones first, each with its clusters (facets) indented under it."""
    click.echo(_row("story", "peak", "clus.", ("coh.", "label"), "words  (then its clusters: "
                    "id, peak, size, coh., label, words)"), err=True)
    stories = sorted(doc["stories"], key=lambda s: (not s["emerging"], s["id"]))
    for s in stories:
        n = s["n_trend_words"]
        words = " ".join(s["words"][:min(n, 8)]) + (" ..." if n > 8 else "")
        if len(s["words"]) > n:
            words += " · " + " ".join(s["words"][n:])
        coherence = "-" if s["coherence"] is None else f"{s['coherence']:.2f}"
        sid = f"s{s['id']}*" if s["emerging"] else f"s{s['id']}"
        click.echo(_row(sid, s["peak"], len(s["clusters"]), (coherence, s["label"]), words))
        for cid in s["clusters"]:
            click.echo(_cluster_row(doc["clusters"][cid], indent="      "))


def _ids(items):
    return [x if isinstance(x, int) else x["id"] for x in items]


def _row(cid, peak, size, story, words):
    """One line of the cluster table: id, peak, size, coherence and label when told, words."""
    line = f"  {cid:>3}  {peak:<10}  {size:>4}  "
    if story is not None:
        line += f"{story[0]:>5}  {_pad(story[1], 28)}  "
    return line + words


def _pad(text, width):
    """``text`` padded to ``width`` terminal columns: CJK characters take two."""
    from .tokens.normalise import display_width

    used = display_width(text)
    return f"{text}{' ' * max(0, width - used)}"
