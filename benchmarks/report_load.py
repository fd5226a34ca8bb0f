"""Size of a report and how fast headless Chromium loads it.

    python benchmarks/report_load.py RESULTS_FOLDER [--runs 5] [--screenshot FIRST_SCREEN.png]

For a results folder written by ``glipca analyse``: the size of
``report.html`` and of the figure files beside it, and, over ``--runs``
loads in headless Chromium (a fresh profile each time, real time, window
1280×800), the page's own navigation timing: DOMContentLoaded and the load
event, from the start of navigation. The figures are loaded lazily, so the
load event comes once the first screen's images are in.

A copy of the page gets a small timing script, allowed by a nonce added to
the page's Content-Security-Policy; it is written beside the figures and
removed afterwards. ``--screenshot`` saves the first screen (1280×800) of
the page itself, unmodified.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

NONCE = "glipca-timing"
TIMING = """<script nonce="%s">
window.addEventListener("load", function () {
  setTimeout(function () {
    var n = performance.getEntriesByType("navigation")[0];
    var p = document.createElement("pre"); p.id = "glipca-timing";
    p.textContent = JSON.stringify({dom: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                                    images: document.images.length,
                                    loaded: [].filter.call(document.images, function (i) {
                                      return i.complete && i.naturalWidth > 0; }).length});
    document.body.appendChild(p);
  }, 0);
});
</script>""" % NONCE

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--window-size=1280,800"]


def _chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("Chromium is not installed (Debian: apt-get install chromium)")


def _timed_copy(page):
    csp = re.search(r'content="([^"]*script-src [^"]*)"', page)
    policy = re.sub(r"script-src ([^;]*)", rf"script-src \1 'nonce-{NONCE}'", csp.group(1))
    page = page.replace(csp.group(1), policy, 1)
    at = page.index("</head>")
    return page[:at] + TIMING + page[at:]


def load_times(folder, runs):
    """Per run: (DOMContentLoaded ms, load ms, images loaded, images, wall s)."""
    page = (folder / "report.html").read_text(encoding="utf-8")
    path = folder / ".timed-report.html"
    path.write_text(_timed_copy(page), encoding="utf-8")
    out = []
    try:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as profile:
                start = time.perf_counter()
                done = subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}",
                                       "--dump-dom", path.as_uri()],
                                      capture_output=True, text=True, timeout=120)
                wall = time.perf_counter() - start
            found = re.search(r'<pre id="glipca-timing">(.*?)</pre>', done.stdout, re.S)
            if not found:
                raise SystemExit(f"no timing; chromium said:\n{done.stderr[-2000:]}")
            t = json.loads(found.group(1).replace("&quot;", '"'))
            out.append((t["dom"], t["load"], t["loaded"], t["images"], wall))
    finally:
        path.unlink()
    return out


def screenshot(folder, target):
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}",
                        f"--screenshot={Path(target).resolve()}",
                        (folder / "report.html").as_uri()],
                       capture_output=True, text=True, timeout=120, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    html = (args.folder / "report.html").stat().st_size
    pngs = sorted(args.folder.glob("*.png"))
    doc = json.loads((args.folder / "clusters.json").read_text(encoding="utf-8"))
    print(f"{args.folder}: {len(doc.get('stories') or doc['clusters'])} stories "
          f"({len(doc['clusters'])} clusters), report.html {html / 1e6:.3f} MB, "
          f"{len(pngs)} figure files {sum(p.stat().st_size for p in pngs) / 1e6:.2f} MB")
    times = load_times(args.folder, args.runs)
    for dom, load, loaded, images, wall in times:
        print(f"  DOMContentLoaded {dom:7.0f} ms  load {load:7.0f} ms  "
              f"images loaded {loaded}/{images}  chromium wall {wall:5.2f} s")
    print(f"  median: DOMContentLoaded {statistics.median(t[0] for t in times):.0f} ms, "
          f"load {statistics.median(t[1] for t in times):.0f} ms")
    if args.screenshot:
        screenshot(args.folder, args.screenshot)
        print(f"  first screen written to {args.screenshot}")


if __name__ == "__main__":
    main()
