"""The report's answer to "why no cluster?": the strongest candidates and
the step that set each aside (:func:`glipca.model.diagnosis.set_aside`,
``summary.set_aside`` in ``clusters.json``)."""

from __future__ import annotations

import html

__all__ = ["set_aside_html"]

#: The step of the analysis each ``step`` names, for a reader.
STEPS = {
    "graph": "graphical lasso (direct links)",
    "cooccurrence": "co-occurrence in posts",
    "shared": "shared words",
    "clustering": "GLIPCA clusters",
}


def set_aside_html(doc):
    """A table of the candidates set aside, or "" when the summary has none."""
    items = doc.get("summary", {}).get("set_aside") or []
    if not items:
        return ""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(str(i['word']))}</td><td class=\"date\">{e(str(i['peak']))}</td>"
        f"<td class=\"num\">{float(i['z']):.1f}</td><td>{e(STEPS.get(i['step'], i['step']))}</td>"
        f"<td>{e(str(i['reason']))}</td></tr>" for i in items)
    return ("<p>Words passed the single-peak test, but none made a cluster. The strongest, "
            "and the step that set each aside, with the figure that decided:</p>"
            '<table class="clusters"><thead><tr><th>Word</th><th>Peak</th><th>z</th>'
            f"<th>Set aside by</th><th>Why</th></tr></thead><tbody>{rows}</tbody></table>")
