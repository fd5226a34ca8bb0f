"""Small inline SVG drawings of the report: the overview chart and sparklines.

Inline SVG needs no file and no script, scales with the page, and its text
is the browser's, in the reader's fonts (Japanese and Chinese included).
Coordinates are rounded to one decimal, so that the same values give the
same bytes. Every piece of text goes through :func:`escape`.
"""

from __future__ import annotations

import html

import numpy as np

__all__ = ["escape", "overview_chart", "sparkline"]

#: The overview chart's drawing box, in SVG units (it scales to the page width).
CHART_WIDTH, CHART_HEIGHT = 1000, 150
#: Space above the area for labels, and below it for the date axis.
LABEL_ROWS, ROW_HEIGHT, AXIS_HEIGHT = 3, 14, 16
#: Stories named on the chart: the largest ones, as long as their labels fit.
LABELLED = 8


def escape(value):
    """Escaped text of any value, quotes included (safe in attributes too)."""
    return html.escape("" if value is None else str(value), quote=True)


def _num(x):
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _points(xs, ys):
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in zip(xs, ys))


def sparkline(values, *, width=96, height=22, label=""):
    """A story's share of posts over time as a small inline SVG line.

    Each series is scaled to its own largest value: the shape tells when,
    the text beside it tells how much.
    """
    values = np.asarray(values, dtype=float)
    top = float(values.max()) if values.size and values.max() > 0 else 1.0
    xs = np.linspace(1, width - 1, max(len(values), 2))[:len(values)]
    ys = height - 1 - (height - 2) * values / top
    area = f"1,{height} " + _points(xs, ys) + f" {_num(xs[-1]) if len(xs) else 1},{height}"
    return (f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" preserveAspectRatio="none" role="img" aria-label="{escape(label)}">'
            f'<polygon points="{area}" fill="#cfe0f3"/>'
            f'<polyline points="{_points(xs, ys)}" fill="none" stroke="#2a6cb0" '
            'stroke-width="1.2"/></svg>')


def _label_rows(marks, width):
    """Rows for the labels of the largest stories, so that no two overlap.

    ``marks`` are (x, text) by importance; a label that finds no free row is
    left out (the list names every story). Width is guessed from the text:
    CJK characters count two.
    """
    taken = [[] for _ in range(LABEL_ROWS)]
    placed = []
    for x, text in marks:
        w = 6.4 * sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 10
        lo, hi = min(max(x - w / 2, 0), width - w), min(max(x - w / 2, 0), width - w) + w
        for row, spans in enumerate(taken):
            if all(hi <= a or lo >= b for a, b in spans):
                spans.append((lo, hi))
                placed.append((x, (lo + hi) / 2, row, text))
                break
    return placed


def overview_chart(total, ticks, peaks, *, lang="und"):
    """The share of posts the stories hold per period, with their peaks.

    Parameters
    ----------
    total : sequence of float
        Per period: the stories' shares of posts above their usual level, summed.
    ticks : list of (int, str)
        Period positions and their date labels for the axis.
    peaks : list of (int, str, str, str, bool)
        Per story, in order of importance: peak position, anchor, short name,
        title (shown on hover), and whether to name it on the chart.
    lang : str
        Language of the labels.

    Returns
    -------
    str
        An inline ``<svg>`` element.
    """
    total = np.asarray(total, dtype=float)
    n = max(len(total), 1)
    top = LABEL_ROWS * ROW_HEIGHT + 6
    bottom = CHART_HEIGHT - AXIS_HEIGHT
    peak_height = float(total.max()) if total.size and total.max() > 0 else 1.0
    xs = np.linspace(6, CHART_WIDTH - 6, n) if n > 1 else np.array([CHART_WIDTH / 2])
    ys = bottom - (bottom - top) * total / peak_height
    parts = [f'<svg id="overview-chart" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
             f'aria-label="Share of posts per period, with the stories\' peaks" lang="{escape(lang)}">',
             f'<polygon points="{_num(xs[0])},{bottom} {_points(xs, ys)} {_num(xs[-1])},{bottom}" '
             'fill="#cfe0f3" stroke="#2a6cb0" stroke-width="1"/>',
             f'<line x1="0" y1="{bottom}" x2="{CHART_WIDTH}" y2="{bottom}" stroke="#888"/>']
    for k, text in ticks:
        x = xs[min(k, n - 1)]
        # Anchored at its start, so that the first label is not cut at the edge.
        parts.append(f'<line x1="{_num(x)}" y1="{bottom}" x2="{_num(x)}" y2="{bottom + 4}" '
                     f'stroke="#888"/><text x="{_num(x + 2)}" y="{CHART_HEIGHT - 3}" '
                     f'class="tick">{escape(text)}</text>')
    labels = _label_rows([(xs[min(k, n - 1)], text) for k, _, text, _, named in peaks if named],
                         CHART_WIDTH)
    # Leaders first, then every name over them, on a white halo (CSS).
    rows = [(x, mid, 2 + (row + 1) * ROW_HEIGHT - 4, text) for x, mid, row, text in labels]
    parts += [f'<line x1="{_num(x)}" y1="{y + 3}" x2="{_num(x)}" y2="{bottom}" class="leader"/>'
              for x, _, y, _ in rows]
    parts += [f'<text x="{_num(mid)}" y="{y}" class="name">{escape(text)}</text>'
              for _, mid, y, text in rows]
    for k, anchor, _, title, _ in sorted(peaks, key=lambda p: p[0]):
        x, y = xs[min(k, n - 1)], ys[min(k, n - 1)]
        parts.append(f'<a href="#{escape(anchor)}"><circle cx="{_num(x)}" cy="{_num(y)}" r="4">'
                     f"<title>{escape(title)}</title></circle></a>")
    parts.append("</svg>")
    return "".join(parts)
