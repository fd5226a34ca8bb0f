"""The report's one script, allowed by its hash in the Content-Security-Policy.

It shows when the file was written, then makes the story tools work:
search over the stories' labels, tags, words and posts, a date
range on the peaks, and sorting by date, size or emergence. The page is
complete without it: every story is listed and linked to its card. The text
never depends on the data, so that its hash is fixed.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["SCRIPT", "SCRIPT_HASH"]

#: The file's modification time goes into ``<time id="written">``: the run's
#: date is not written into the bytes (two runs of the same posts give the
#: same file), so the page reads it from the file itself (``document.lastModified``).
SCRIPT = """(function () {
  var d = document;
  var t = d.getElementById("written"), m = new Date(d.lastModified);
  if (t && !isNaN(m.getTime())) {
    t.setAttribute("datetime", m.toISOString());
    t.textContent = m.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
  var tools = d.getElementById("tools"), list = d.getElementById("story-list");
  if (!tools || !list) return;
  var items = [].slice.call(list.querySelectorAll("li[data-story]"));
  var cards = {};
  [].forEach.call(d.querySelectorAll("article[data-story]"), function (a) {
    cards[a.getAttribute("data-story")] = a;
  });
  // What a search looks in: each story's label, tags, words and posts.
  var text = items.map(function (li) {
    var card = cards[li.getAttribute("data-story")];
    var parts = [].map.call(li.querySelectorAll(".name, .tags"), function (e) { return e.textContent; });
    if (card) {
      [].forEach.call(card.querySelectorAll(".words, .post-text"), function (e) { parts.push(e.textContent); });
    }
    return parts.join(" ").toLowerCase();
  });
  var homes = items.map(function (li) { return li.parentNode; });
  var flat = d.createElement("ol");
  flat.className = "stories";
  flat.hidden = true;
  list.appendChild(flat);
  var q = d.getElementById("q"), from = d.getElementById("from"), to = d.getElementById("to");
  var sort = d.getElementById("sort"), shown = d.getElementById("shown");
  function filter() {
    var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean), n = 0;
    items.forEach(function (li, i) {
      var day = li.getAttribute("data-peak");
      var ok = (!from.value || day >= from.value) && (!to.value || day <= to.value) &&
        words.every(function (w) { return text[i].indexOf(w) >= 0; });
      li.hidden = !ok;
      var card = cards[li.getAttribute("data-story")];
      if (card) card.hidden = !ok;
      if (ok) n += 1;
    });
    [].forEach.call(list.querySelectorAll(".period"), function (g) {
      g.hidden = sort.value !== "date" || !g.querySelector("li[data-story]:not([hidden])");
    });
    shown.textContent = n + " of " + items.length + " stories";
  }
  function order() {
    var key = sort.value;
    if (key === "date") {
      items.forEach(function (li, i) { homes[i].appendChild(li); });
    } else {
      items.slice().sort(function (a, b) {
        return a.getAttribute("data-" + key) - b.getAttribute("data-" + key);
      }).forEach(function (li) { flat.appendChild(li); });
    }
    flat.hidden = key === "date";
    [].forEach.call(list.children, function (c) { if (c !== flat) c.hidden = key !== "date"; });
    filter();
  }
  q.addEventListener("input", filter);
  from.addEventListener("change", filter);
  to.addEventListener("change", filter);
  sort.addEventListener("change", order);
  tools.addEventListener("submit", function (e) { e.preventDefault(); });
  tools.hidden = false;
  filter();
})();"""

#: ``sha256-...`` as the Content-Security-Policy names the script.
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
