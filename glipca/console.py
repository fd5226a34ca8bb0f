"""What the commands print: posts read, where the counts came from, the clusters found.

The summary goes to stdout, whole (``glipca analyse ... > run.out`` keeps
it); warnings and progress go to stderr.  Printed, never written: times and
cache hits differ from run to run, while the results folder must not.
"""

from __future__ import annotations

import re
import shlex

import click

__all__ = ["print_posts", "cache_line", "print_summary", "warn", "in_flags", "fields_lines"]


#: Options whose Python name differs from the name of their command-line flag.
_FLAG_NAMES = {"min_periods": "min_days", "n_resamples": "resamples", "user_words": "user_dict"}


def in_flags(message):
    """A library message in the command line's words: each option it names
    as `name` or `name=value` (Python's spelling) becomes the running
    command's flag, e.g. `min_periods` -> --min-days, `dayfirst=False` ->
    --monthfirst, `freq=D` -> --freq D."""
    ctx = click.get_current_context(silent=True)
    params = {p.name: p for p in ctx.command.params if isinstance(p, click.Option)} if ctx else {}

    def flag(match):
        name, value = match.group(1), match.group(2)
        p = params.get(name) or params.get(_FLAG_NAMES.get(name, ""))
        if p is None:
            return match.group(0) if ctx is None else f"{name}={value}" if value else name
        if p.is_flag and value in ("True", "False"):
            return p.opts[0] if value == "True" or not p.secondary_opts else p.secondary_opts[0]
        if value is not None:
            if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]  # a Python string, written as a shell word
            return f"{p.opts[0]} {shlex.quote(value)}"
        return "/".join(p.opts[:1] + p.secondary_opts[:1])

    return re.sub(r"`([a-z_]+)(?:=([^`]*))?`", flag, str(message))


def warn(message):
    """One warning line on stderr, in the command line's words."""
    click.echo(f"glipca: warning: {' '.join(in_flags(message).split())}", err=True)


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
    click.echo(line)
    for line in fields_lines(getattr(report, "fields", None) or {}):
        click.echo(line)
    for note in report.notes:
        warn(note)


def fields_lines(fields):
    """``fields: text 'message', time 'date' (day-first), ...``: what each file
    was read with, one line per way of reading (files read alike share one)."""
    import json

    groups = {}
    for name, decided in fields.items():
        groups.setdefault(json.dumps(decided, sort_keys=True), []).append(name)
    for key, names in groups.items():
        where = ""
        if len(groups) > 1:
            where = f" ({names[0]}" + (f" and {len(names) - 1} more" if len(names) > 1 else "") + ")"
        yield f"fields{where}: {_read_with(json.loads(key))}"


def _read_with(d):
    from .ingest.delimited import separator_name

    time = f"time '{d['time']}'" if d.get("time") else "time: none found"
    if d.get("time_format"):
        time += f" (format '{d['time_format']}')"
    elif d.get("dates"):
        time += f" ({d['dates']})"
    parts = [f"text '{d['text']}'" if d.get("text") else "text: none found", time,
             f"id '{d['id']}'" if d.get("id") else "id: none (made from file and line)"]
    if d.get("sep"):
        parts.append(f"columns split at {separator_name(d['sep'])}")
    return ", ".join(parts)


def cache_line(key, from_cache, cache_on=True):
    if not cache_on:
        return "counts: counted (cache off)"
    if from_cache:
        return f"counts: from cache {key[:16]}"
    return f"counts: counted, cached as {key[:16]}"


def print_summary(doc, report, out, counts_line, report_path=None):
    """Posts, counts, periods, window, then the clusters, the emerging ones first;
    without clusters, why (:func:`print_set_aside`); where the report is."""
    from .report.document import emerging_first

    s = doc["summary"]
    print_posts(report)
    # Where the counts came from is printed, not stored: clusters.json stays
    # byte-identical whether or not the counts were cached.
    click.echo(counts_line)
    # How many periods had too few posts, whenever there are any: a reader
    # of the peaks must know, even below the share that is warned about.
    thin = f"; {s['n_masked_periods']} interpolated" if s.get("n_masked_periods") else ""
    click.echo(
        f"periods: {s['periods']} ({s['first_period']} .. {s['last_period']}, {doc['params']['tz']}"
        f"{thin}), words: {s['words']}, candidates: {s['candidate_words']}, alpha: {s['alpha']:.4g}"
    )
    if "window" in s:
        w = s["window"]
        click.echo(f"window: {w['first']} .. {w['last']} ({w['rule']}); {w['posts_outside']} posts "
                   f"outside it dropped (the posts run from {w['data_first']} to {w['data_last']})")
    if "freq_auto" in s:
        tried = ", ".join(f"{t['freq']}: {t['masked']} of {t['periods']} thin"
                          for t in s["freq_auto"]["tried"])
        click.echo(f"freq: {s['freq_auto']['chosen']} chosen automatically ({tried})")
    for warning in s.get("warnings", []):
        warn(warning)
    n = s["clusters"]
    line = f"{n} trend cluster{'' if n == 1 else 's'} written to {out}"
    if s.get("stories") is not None:
        line = f"{s['stories']} stor{'y' if s['stories'] == 1 else 'ies'} of {line}"
    if s.get("mean_coherence") is not None:
        line += f" (mean coherence {s['mean_coherence']:.2f})"
    if s.get("emerging_clusters"):
        line += f"; {s['emerging_clusters']} emerging (marked *), listed first"
    click.echo(line)
    if "changes" in doc:
        c = doc["changes"]
        told = ", ".join(f"{len(c[k])} {k}" for k in ("appeared", "grew", "faded", "vanished",
                                                      "reshaped", "kept"))
        click.echo(f"since {c['against']}: {told}"
                   + "".join(f"; {k}: " + " ".join(map(str, _ids(c[k])))
                             for k in ("appeared", "grew", "faded") if c[k]))
    if "stories" in doc:
        _print_stories(doc)
    else:
        if doc["clusters"]:
            told = "label" in doc["clusters"][0]
            click.echo(_row("id", "peak", "size", ("coh.", "label") if told else None, "words"))
        for c in emerging_first(doc["clusters"]):
            click.echo(_cluster_row(c))
    print_set_aside(s.get("set_aside"))
    if report_path is not None:
        click.echo(f"report: {report_path}")


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
                    "id, peak, size, coh., label, words)"))
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


def print_set_aside(items):
    """Without clusters, the strongest candidates and the step that set each aside."""
    if not items:
        return
    click.echo("why no cluster: the strongest candidates, and the step that set each aside")
    for item in items:
        click.echo(f"  {item['word']}  (peak {item['peak']}, z {item['z']:.1f})  "
                   f"{item['step']}: {item['reason']}")


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
