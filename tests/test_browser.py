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


def _instrumented(page, probe=""):
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
    return page[:at] + CHECKER + probe + page[at:]


def _everything_shown(page):
    """The page with its collapsed parts open and its figures loaded at once,
    so that the checker sees every image decoded by the load event."""
    return page.replace('loading="lazy" ', "").replace("<details", "<details open")


def _dump(path, tmp_path, *, scripts=True, window="1280,800"):
    """The page's DOM after load, as headless Chromium at ``window`` size dumps it,
    and Chromium's console lines."""
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
        f"--window-size={window}", "--hide-scrollbars",
        # The figures beside the page share its origin, so the checker may
        # read their pixels back from a canvas.
        "--allow-file-access-from-files",
        "--virtual-time-budget=10000", "--dump-dom", path.as_uri(),
    ]
    if not scripts:
        cmd.insert(1, "--blink-settings=scriptEnabled=false")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert "</html>" in done.stdout, f"no page; chromium said:\n{done.stderr[-2000:]}"
    return done.stdout, console


def _written(dom, name):
    found = re.search(rf'<pre id="{name}">(.*?)</pre>', dom, re.S)
    assert found, f"no {name} in the page"
    return json.loads(html.unescape(found.group(1)))


def _run_chromium(path, tmp_path):
    dom, console = _dump(path, tmp_path)
    return _written(dom, "glipca-verdict"), console


@pytest.fixture(scope="module")
def verdict(results_folder, tmp_path_factory):  # noqa: F811
    # Beside the figures, as the report is read.
    tmp = tmp_path_factory.mktemp("browser")
    shutil.copytree(results_folder, tmp / "results")
    page = (results_folder / "report.html").read_text(encoding="utf-8")
    path = tmp / "results" / "checked.html"
    path.write_text(_instrumented(_everything_shown(page)), encoding="utf-8")
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
    assert result["scripts"] == 2  # the checker and the report's one script
    assert result["handlers"] == 0
    # The payload is on the page, character for character, as text.
    assert " ".join(PAYLOAD.split()) in " ".join(result["text"].split())


def test_header_shows_when_the_file_was_written(results_folder, tmp_path):  # noqa: F811
    """The date comes from the file's modification time, not from its bytes."""
    import os

    shutil.copytree(results_folder, tmp_path / "results")
    page = (results_folder / "report.html").read_text(encoding="utf-8")
    path = tmp_path / "results" / "report.html"
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
    posts = [[{"id": f"{k}{j}", "time": f"{clusters[k]['peak']}T0{j}:00:00+08:00",
               "text": f"{clusters[k]['label']}。{j}", "score": 1.0 - j / 10,
               "words": clusters[k]["words"]} for j in range(3)] for k in range(2)]
    return Results(doc, series, graph=graph, posts=posts)


@pytest.fixture(scope="module", params=["zh", "ja"])
def cjk_folder(request, tmp_path_factory):
    from glipca.report.folder import save_results

    out = tmp_path_factory.mktemp(f"cjk-{request.param}") / "results"
    save_results(_cjk_results(request.param), out)
    return request.param, out


def test_chinese_and_japanese_reports_render(cjk_folder, tmp_path):
    lang, folder = cjk_folder
    page = (folder / "report.html").read_text(encoding="utf-8")
    path = folder / "checked.html"
    path.write_text(_instrumented(_everything_shown(page)), encoding="utf-8")
    result, console = _run_chromium(path, tmp_path)
    assert result["problems"] == [] and console == []
    assert result["images"] == 2 + 2 and result["broken"] == [] and result["undecodable"] == []
    # Every word shows as itself, in the page's text and in elements marked
    # with the data's language (so the browser picks a zh or ja font).
    for word in CJK_WORDS[lang]:
        assert word in result["text"]
    assert f'<span class="words" lang="{lang}">' in page and f'<h3 lang="{lang}">' in page
    assert f'<section id="overview" lang="{lang}">' in page


#: Looks at the first screen, then searches, filters by date and sorts as a
#: reader would, and writes what it saw into the page for the verdict.
PROBE = """
<script nonce="%s">
window.addEventListener("load", function () {
  function box(e) { var r = e.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; }
  function shown(sel) {
    return [].slice.call(document.querySelectorAll(sel)).filter(function (e) {
      return e.offsetParent !== null; }).map(function (e) { return e.getAttribute("data-story"); });
  }
  var out = {screen: [window.innerWidth, window.innerHeight],
             overview: box(document.getElementById("overview-chart")),
             tiles: [].slice.call(document.querySelectorAll("li[data-story]"), 0, 4).map(box),
             tools: !document.getElementById("tools").hidden};
  var q = document.getElementById("q"), sort = document.getElementById("sort");
  q.value = window.__search; q.dispatchEvent(new Event("input"));
  out.found = shown("li[data-story]"); out.cards = shown("article[data-story]");
  out.counted = document.getElementById("shown").textContent;
  q.value = ""; q.dispatchEvent(new Event("input"));
  var from = document.getElementById("from"); from.value = window.__from;
  from.dispatchEvent(new Event("change"));
  out.after = shown("li[data-story]");
  from.value = ""; from.dispatchEvent(new Event("change"));
  sort.value = "size"; sort.dispatchEvent(new Event("change"));
  out.by_size = shown("li[data-story]");
  var p = document.createElement("pre"); p.id = "glipca-probe";
  p.textContent = JSON.stringify(out); document.body.appendChild(p);
});
window.__search = %%s; window.__from = %%s;
</script>
""" % NONCE


def _probe(folder, tmp_path, word, since):
    page = (folder / "report.html").read_text(encoding="utf-8")
    path = folder / "probed.html"
    path.write_text(_instrumented(page, PROBE % (json.dumps(word), json.dumps(since))),
                    encoding="utf-8")
    dom, console = _dump(path, tmp_path)
    verdict = _written(dom, "glipca-verdict")
    assert verdict["problems"] == [] and console == []
    return _written(dom, "glipca-probe")


def _stories(folder):
    """The stories the report of ``folder`` shows."""
    from glipca.report.folder import read_results
    from glipca.report.stories import story_views

    results = read_results(folder)
    return story_views(results.doc, results.series, results.posts)


def _stories_holding(folder, word):
    """Ids of the stories whose label, tags, words or representative posts hold ``word``."""
    word = word.lower()
    return sorted(
        str(s.id) for s in _stories(folder)
        if any(word in str(t).lower() for t in [s.label, *s.words, *(t for t, _ in s.tags)]
               + [p.text for p in s.posts])
    )


def _first_screen_holds_the_overview_and_the_first_stories(seen, n_tiles):
    # Headless Chromium's page is a little shorter than its 1280×800 window.
    width, height = seen["screen"]
    assert width == 1280 and 600 <= height <= 800
    top, bottom, left, right = seen["overview"]
    assert 0 <= top and bottom <= height and right - left > 800
    assert len(seen["tiles"]) >= n_tiles
    for top, bottom, left, right in seen["tiles"][:n_tiles]:
        assert 0 <= top and bottom <= height and right <= width


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory):
    """The bundled sample, analysed as the README does."""
    from pathlib import Path

    from click.testing import CliRunner

    from glipca.cli import main

    sample = Path(__file__).resolve().parents[1] / "data" / "russian_troll_tweets_2016q4" / "sample.jsonl.gz"
    out = tmp_path_factory.mktemp("sample") / "results"
    ran = CliRunner().invoke(main, ["analyse", str(sample), "--out", str(out), "-q", "-j", "1"])
    assert ran.exit_code == 0, ran.output
    return out


def test_the_sample_report_shows_stories_first_and_searches(sample_folder, tmp_path):
    clusters = _stories(sample_folder)
    assert len(clusters) >= 8
    # A word of one story that some other story does not hold.
    word = "hurricane"
    holding = _stories_holding(sample_folder, word)
    assert 1 <= len(holding) < len(clusters)
    since = sorted(c.peak for c in clusters)[len(clusters) // 2]
    seen = _probe(sample_folder, tmp_path, word, since)
    _first_screen_holds_the_overview_and_the_first_stories(seen, 4)
    assert seen["tools"]
    assert sorted(seen["found"]) == holding and sorted(seen["cards"]) == holding
    assert seen["counted"] == f"{len(holding)} of {len(clusters)} stories"
    assert sorted(seen["after"]) == sorted(str(c.id) for c in clusters if c.peak >= since)
    # By size: the story told by the most posts first.
    told = {str(c.id): c.n_posts or 0 for c in clusters}
    assert [told[i] for i in seen["by_size"]] == sorted(told.values(), reverse=True)


def test_cjk_reports_show_stories_first_and_search_their_words(cjk_folder, tmp_path):
    lang, folder = cjk_folder
    word = CJK_WORDS[lang][2]
    seen = _probe(folder, tmp_path, word, "2020-01-15")
    _first_screen_holds_the_overview_and_the_first_stories(seen, 2)
    assert seen["found"] == ["1"] == _stories_holding(folder, word)
    assert seen["after"] == ["1"]


#: Reads, in a page whose own script never ran, what a reader could reach.
REACH = """
<script nonce="%s">
window.addEventListener("load", function () {
  function ids(sel, attr) {
    return [].map.call(document.querySelectorAll(sel), function (e) { return e.getAttribute(attr); });
  }
  function visible(sel) {
    return [].filter.call(document.querySelectorAll(sel), function (e) {
      return e.offsetParent !== null; }).length;
  }
  var out = {listed: ids("li[data-story] a.name", "href"), charted: ids("#overview-chart a", "href"),
             cards: ids("article.card", "id"), shown: visible("li[data-story]"),
             shown_cards: visible("article.card"), tools: visible("#tools"),
             back: ids("article.card p.back a", "href")};
  var p = document.createElement("pre"); p.id = "glipca-reach";
  p.textContent = JSON.stringify(out); document.body.appendChild(p);
});
</script>
""" % NONCE


def _reachable_without_the_script(folder, tmp_path):
    from glipca.report.script import SCRIPT

    page = (folder / "report.html").read_text(encoding="utf-8")
    assert f"<script>{SCRIPT}</script>" in page
    path = folder / "scriptless.html"
    path.write_text(_instrumented(page.replace(f"<script>{SCRIPT}</script>", ""), REACH),
                    encoding="utf-8")
    dom, console = _dump(path, tmp_path)
    assert console == [] and _written(dom, "glipca-verdict")["problems"] == []
    seen = _written(dom, "glipca-reach")
    ids = sorted(f"story-{s.id}" for s in _stories(folder))
    assert ids
    # Every story is listed, charted and has a card, all shown; the list
    # links to every card and every card back to the list; the tools,
    # which need the script, are not shown.
    assert sorted(h[1:] for h in seen["listed"]) == sorted(h[1:] for h in seen["charted"]) == ids
    assert sorted(seen["cards"]) == ids
    assert seen["shown"] == seen["shown_cards"] == len(ids) and seen["tools"] == 0
    assert seen["back"] == ["#stories"] * len(ids)


def test_without_the_script_every_story_of_the_sample_is_reachable(sample_folder, tmp_path):
    _reachable_without_the_script(sample_folder, tmp_path)


def test_without_the_script_every_cjk_story_is_reachable(cjk_folder, tmp_path):
    _reachable_without_the_script(cjk_folder[1], tmp_path)
