"""The CCTV Weibo posts through ``glipca analyse`` with ``--lang auto``:
Chinese is recognised, the clusters hold Chinese words, and nothing warns
(matplotlib warns for every glyph a font lacks, in any worker process)."""

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from .conftest import shared_dataset

ROOT = Path(__file__).resolve().parents[1]


def test_weibo_posts_give_chinese_clusters_and_no_warning(tmp_path):
    path = shared_dataset("cctv_weibo_2020")
    # January 2020 and the first days of February: the outbreak in Wuhan.
    with open(path, encoding="utf-8") as f:
        head = [next(f) for _ in range(2000)]
    posts = tmp_path / "weibo.jsonl"
    posts.write_text("".join(head), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "default"}
    done = subprocess.run(
        [sys.executable, "-m", "glipca.cli", "analyse", str(posts), "--out", str(tmp_path / "o"),
         "--resamples", "0", "--no-cache", "--quiet"],
        capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower() and "glyph" not in done.stderr.lower(), done.stderr
    doc = json.loads((tmp_path / "o" / "clusters.json").read_text(encoding="utf-8"))
    assert (doc["params"]["lang"], doc["params"]["tz"]) == ("zh", "Asia/Shanghai")
    words = {w for c in doc["clusters"] for w in c["words"]}
    assert len(doc["clusters"]) >= 5 and {"武汉", "乌克兰", "伊朗", "客机"} <= words
    # Words of two Han characters or more, no kana: not Japanese fragments.
    for w in words:
        assert len(w) >= 2 and not any("HIRAGANA" in unicodedata.name(ch, "") or
                                       "KATAKANA" in unicodedata.name(ch, "") for ch in w), w
    assert (tmp_path / "o" / "timeline.png").exists() and (tmp_path / "o" / "report.html").exists()
