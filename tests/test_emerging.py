"""Emerging trends: clusters still rising at the last observed period."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.datasets import make_trend_corpus
from glipca.model.emerging import EMERGING_LEVEL, emergence
from glipca.pipeline import run_analysis
from glipca.report.document import clusters_document
from tests.conftest import shared_dataset


def _frame(n):
    return pd.DataFrame(np.zeros((n, 1)), index=pd.date_range("2020-01-01", periods=n, tz="UTC"))


def test_a_rise_to_the_last_period_is_emerging_and_a_past_bump_is_not():
    t = np.arange(30, dtype=float)
    noise = 0.05 * np.sin(7 * t)  # deterministic wiggles around the baseline
    rising = noise + np.exp(-((t - 29) ** 2) / 8)
    rise = emergence(rising, 0.01 + 0.1 * rising.clip(0), _frame(30))
    assert rise is not None and rise.level == 1.0 and rise.growth_rate > 0
    # It started to rise after its last period at or below its median.
    assert pd.Timestamp("2020-01-24", tz="UTC") <= rise.rising_since <= pd.Timestamp("2020-01-29", tz="UTC")
    past = noise + np.exp(-((t - 18) ** 2) / 8)
    assert emergence(past, 0.01 + 0.1 * past.clip(0), _frame(30)) is None
    # Above the documented share of its height, and still climbing after a
    # first jump: emerging although the highest point is earlier.
    second = noise + np.where(t >= 25, 0.6 + 0.05 * (t - 25), 0) + np.where(t == 22, 1.0, 0)
    assert emergence(second, 0.01 + 0.1 * second.clip(0), _frame(30)) is not None
    # Falling from its peak, even while still high: not emerging.
    falling = noise + np.where(t >= 24, 1.0 - 0.08 * (t - 24), 0)
    assert (falling[-1] - np.median(falling)) / (falling.max() - np.median(falling)) > EMERGING_LEVEL
    assert emergence(falling, 0.01 + 0.1 * falling.clip(0), _frame(30)) is None


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    corpus = make_trend_corpus(lang="en", n_days=40, n_trends=4, n_close_pairs=0,
                               n_background=100, posts_per_day=(300, 500), seed=0)
    return corpus, corpus.write_jsonl(tmp_path_factory.mktemp("emerging") / "posts.jsonl")


def _trend_of(corpus, cluster):
    ids = [corpus.label_of(w) for w in cluster["words"]]
    best = max(set(ids), key=ids.count)
    return best if 2 * ids.count(best) > len(ids) else -1


@pytest.mark.parametrize("k", [2, 3])
def test_a_planted_trend_cut_at_its_peak_day_is_the_only_emerging_one(planted, k):
    corpus, path = planted
    trend = corpus.trends[k]
    doc = clusters_document(run_analysis(path, lang="en", until=trend["peak"], n_resamples=0,
                                         jobs=1))
    emerging = [c for c in doc["clusters"] if c.get("emerging")]
    assert [_trend_of(corpus, c) for c in emerging] == [trend["id"]]
    (c,) = emerging
    assert c["growth_rate"] > 0 and "edge" not in c
    assert c["rising_since"] < trend["peak"]
    # Trends that peaked before are found, and are not emerging.
    earlier = {_trend_of(corpus, c) for c in doc["clusters"] if not c.get("emerging")}
    assert {t["id"] for t in corpus.trends[:k]} & earlier
    assert doc["summary"]["emerging_clusters"] == 1


def test_a_trend_days_past_its_peak_is_not_emerging(planted):
    corpus, path = planted
    trend = corpus.trends[2]
    until = str((pd.Timestamp(trend["peak"]) + pd.Timedelta(days=5)).date())
    doc = clusters_document(run_analysis(path, lang="en", until=until, n_resamples=0, jobs=1))
    assert trend["id"] in {_trend_of(corpus, c) for c in doc["clusters"]}
    assert not any(c.get("emerging") for c in doc["clusters"])
    assert "emerging_clusters" not in doc["summary"]


def test_emerging_clusters_come_first_in_the_summary_and_the_report(planted, tmp_path):
    corpus, path = planted
    trend = corpus.trends[3]
    out = tmp_path / "out"
    ran = CliRunner().invoke(main, ["analyse", str(path), "--out", str(out), "--lang", "en",
                                    "--until", trend["peak"], "--resamples", "0", "-j", "1"])
    assert ran.exit_code == 0, ran.output
    doc = json.loads((out / "clusters.json").read_text(encoding="utf-8"))
    (cid,) = [c["id"] for c in doc["clusters"] if c.get("emerging")]
    assert cid != doc["clusters"][0]["id"]  # the latest trend: last by peak
    listed = [line for line in ran.output.splitlines() if line.startswith("  ") and " 2020-" in line]
    # The story of the emerging cluster first, the cluster indented under it.
    (story,) = [s for s in doc["stories"] if cid in s["clusters"]]
    assert story["emerging"] and listed[0].split()[0] == f"s{story['id']}*"
    assert listed[1].split()[0] == f"{cid}*" and "rising since" in listed[1]
    assert listed[1].startswith("      ")
    assert all("*" not in line.split()[0] for line in listed[2:])
    assert "1 emerging (marked *), listed first" in ran.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>Emerging:</b>" in page
    # First when the stories are sorted by emergence, and tagged as emerging.
    assert re.search(rf'<li data-story="{cid}" [^>]*data-emergence="0"', page)
    item = page.split(f'<li data-story="{cid}"')[1].split("</li>")[0]
    assert '<span class="tag rising">↗ emerging</span>' in item


def test_troll_tweets_cut_on_election_day_have_an_emerging_election_cluster(tmp_path):
    path = shared_dataset("russian_troll_tweets_2016q4")
    result = run_analysis(path, lang="en", until="2016-11-08", n_resamples=0, n_posts=0)
    doc = clusters_document(result)
    emerging = [c for c in doc["clusters"] if c.get("emerging")]
    words = {w for c in emerging for w in c["words"]}
    assert words & {"election", "electionday", "#electionday", "vote", "voting", "polls"}


def test_against_a_previous_run_lists_what_appeared(planted, tmp_path):
    corpus, path = planted
    trend = corpus.trends[3]
    common = ["--lang", "en", "--resamples", "0", "-j", "1", "--posts", "0"]
    earlier = str((pd.Timestamp(trend["peak"]) - pd.Timedelta(days=6)).date())
    ran = CliRunner().invoke(main, ["analyse", str(path), "--out", str(tmp_path / "before"),
                                    "--until", earlier, "--no-plots", *common])
    assert ran.exit_code == 0, ran.output
    ran = CliRunner().invoke(main, ["analyse", str(path), "--out", str(tmp_path / "now"),
                                    "--until", trend["peak"], "--against", str(tmp_path / "before"),
                                    *common])
    assert ran.exit_code == 0, ran.output
    doc = json.loads((tmp_path / "now" / "clusters.json").read_text(encoding="utf-8"))
    changes = doc["changes"]
    assert changes["against"] == "before"
    assert [_trend_of(corpus, doc["clusters"][i]) for i in changes["appeared"]] == [trend["id"]]
    assert not changes["vanished"] and changes["kept"]
    assert f"since before: 1 appeared" in ran.output
    page = (tmp_path / "now" / "report.html").read_text(encoding="utf-8")
    assert '<h2 id="changes">Since before</h2>' in page
    # The same runs again give the same bytes.
    again = tmp_path / "again"
    CliRunner().invoke(main, ["analyse", str(path), "--out", str(again), "--until", trend["peak"],
                              "--against", str(tmp_path / "before"), "--no-plots", *common])
    assert (again / "clusters.json").read_bytes() == (tmp_path / "now" / "clusters.json").read_bytes()
