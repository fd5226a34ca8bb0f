"""The HTML report in a real browser: headless Chromium.

A copy of the report gets a small checker script (allowed by a nonce added to
the page's Content-Security-Policy, which otherwise stays as shipped). The
checker records every error, CSP violation and image that fails to load or
decode, and writes its verdict into the page; ``--dump-dom`` reads it back.
Chromium's own console log is checked as well.
"""

import html
import json
import re
import shutil
import subprocess

import pytest

from .report_data import PAYLOAD, analysed_corpus, results_folder  # noqa: F401

NONCE = "glipca-test"

CHECKER = """
<script nonce="%s">
window.__problems = [];
window.addEventListener("error", function (e) {
  var what = e.message || (e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 80) : "?");
  window.__problems.push("error: " + what);
}, true);
document.addEventListener("securitypolicyviolation", function (e) {
  window.__problems.push("csp: " + e.violatedDirective + " " + e.blockedURI);
});
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  // Drawing an image forces it to be decoded; a figure that decoded has
  // ink on it (a blank or undecodable one has none).
  function inked(img) {
    try {
      var c = document.createElement("canvas");
      c.width = 48; c.height = 48;
      var g = c.getContext("2d");
      g.drawImage(img, 0, 0, 48, 48);
      var px = g.getImageData(0, 0, 48, 48).data;
      for (var i = 0; i < px.length; i += 4) {
        if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200)) return true;
      }
      return false;
    } catch (err) {
      window.__problems.push("decode: " + err);
      return false;
    }
  }
  var verdict = {
    images: images.length,
    broken: images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                  .map(function (i) { return i.alt; }),
    undecodable: images.filter(function (i) { return !inked(i); })
                       .map(function (i) { return i.alt; }),
    scripts: document.scripts.length,
    handlers: document.querySelectorAll("[onerror], [onload], [onclick]").length,
    pwned: window.__pwned || null,
    title: document.title,
    text: document.body.innerText,
    problems: window.__problems
  };
  var out = document.createElement("pre");
  out.id = "glipca-verdict";
  out.textContent = JSON.stringify(verdict);
  document.body.appendChild(out);
});
</script>
""" % NONCE


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run tries)")


def _instrumented(page):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp, "the report has no Content-Security-Policy"
    # The checker runs by a nonce added to the report's own script-src (a
    # second script-src directive would be ignored).
    policy = csp.group(1)
    if "script-src" in policy:
        allowed = re.sub(r"script-src ([^;]*)", rf"script-src \1 'nonce-{NONCE}'", policy)
    else:
        allowed = policy + f"; script-src 'nonce-{NONCE}'"
    page = page.replace(csp.group(0), csp.group(0).replace(csp.group(1), allowed), 1)
    # Right after the policy, so that it watches everything that follows.
    at = page.index(">", csp.start()) + 1
    return page[:at] + CHECKER + page[at:]


def _run_chromium(path, tmp_path):
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=10000", "--dump-dom", path.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="glipca-verdict">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no verdict; chromium said:\n{done.stderr[-2000:]}"
    verdict = json.loads(html.unescape(found.group(1)))
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return verdict, console


@pytest.fixture(scope="module")
def verdict(results_folder, tmp_path_factory):  # noqa: F811
    tmp = tmp_path_factory.mktemp("browser")
    page = (results_folder / "report.html").read_text(encoding="utf-8")
    path = tmp / "report.html"
    path.write_text(_instrumented(page), encoding="utf-8")
    return _run_chromium(path, tmp)


def test_report_loads_without_errors_and_every_image_decodes(verdict, analysed_corpus):  # noqa: F811
    result, console = verdict
    n_clusters = len(analysed_corpus[1].model.clusters_)
    assert result["problems"] == []
    assert console == []
    assert result["images"] == 3 + n_clusters
    assert result["broken"] == [] and result["undecodable"] == []


def test_hostile_post_shows_as_text_and_runs_nothing(verdict):
    result, _ = verdict
    assert result["pwned"] is None
    assert result["title"] != "PWNED"
    assert result["scripts"] == 2  # the checker and the report's date script
    assert result["handlers"] == 0
    # The payload is on the page, character for character, as text.
    assert " ".join(PAYLOAD.split()) in " ".join(result["text"].split())


def test_header_shows_when_the_file_was_written(results_folder, tmp_path):  # noqa: F811
    """The date comes from the file's modification time, not from its bytes."""
    import os

    page = (results_folder / "report.html").read_text(encoding="utf-8")
    path = tmp_path / "report.html"
    path.write_text(_instrumented(page), encoding="utf-8")
    written = 1583298367  # 2020-03-04 05:06:07 UTC
    os.utime(path, (written, written))
    result, console = _run_chromium(path, tmp_path)
    assert result["problems"] == [] and console == []
    assert "Written\t2020-03-04 05:06 UTC" in result["text"]


CJK_WORDS = {"zh": ["新冠肺炎", "钟南山", "们这说", "雷神山"], "ja": ["ソフトバンク", "コウメ太夫", "東京", "地震"]}


def _cjk_results(lang):
    """A small report of Chinese or Japanese words, figures included."""
    import networkx as nx
    import numpy as np
    import pandas as pd

    from glipca.report.folder import Results

    words = CJK_WORDS[lang]
    index = pd.date_range("2020-01-01", periods=30, freq="D", tz="Asia/Shanghai")
    t = np.arange(30)
    series = pd.DataFrame({w: 0.01 + 0.05 * np.exp(-0.5 * ((t - 8 - 10 * (k // 2)) / 2) ** 2)
                           for k, w in enumerate(words)}, index=index)
    clusters = [{"id": k, "words": words[2 * k:2 * k + 2], "label": " ".join(words[2 * k:2 * k + 2]),
                 "peak": str(index[8 + 10 * k].date()), "start": str(index[7 + 10 * k].date()),
                 "end": str(index[9 + 10 * k].date()), "size": 2, "loadings": [0.7, 0.7],
                 "stability": 0.9, "coherence": 0.5} for k in range(2)]
    doc = {"clusters": clusters, "shared_words": [], "hierarchy": None,
           "params": {"lang": lang, "tz": "Asia/Shanghai", "freq": "D"},
           "summary": {"periods": 30, "first_period": "2020-01-01", "last_period": "2020-01-30",
                       "masked_periods": ["2020-01-25/2020-01-27"]}}
    graph = nx.Graph([(words[0], words[1], {"weight": 0.4}), (words[2], words[3], {"weight": 0.3})])
    return Results(doc, series, graph=graph)


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_chinese_and_japanese_reports_render(lang, tmp_path):
    from glipca.report.figures import render_figures
    from glipca.report.html import render_report

    results = _cjk_results(lang)
    figures = render_figures(results)
    path = tmp_path / "report.html"
    path.write_text(_instrumented(render_report(results, figures=figures)), encoding="utf-8")
    result, console = _run_chromium(path, tmp_path)
    assert result["problems"] == [] and console == []
    assert result["images"] == 2 + 2 and result["broken"] == [] and result["undecodable"] == []
    # Every word shows as itself, in the page's text and in elements marked
    # with the data's language (so the browser picks a zh or ja font).
    for word in CJK_WORDS[lang]:
        assert word in result["text"]
    page = path.read_text(encoding="utf-8")
    assert f'<ol class="words" lang="{lang}">' in page and f'<td lang="{lang}">' in page
