"""The command line end to end on a small generated corpus."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import click
from glipca.cli import main
from glipca.datasets import make_trend_corpus
from glipca.evaluation import score_clusters


@pytest.fixture(scope="module")
def corpus():
    return make_trend_corpus(
        lang="en", n_trends=5, n_close_pairs=1, n_background=80, posts_per_day=(600, 1000), seed=3
    )


@pytest.fixture(scope="module")
def corpus_file(corpus, tmp_path_factory):
    return corpus.write_jsonl(tmp_path_factory.mktemp("in") / "posts.jsonl.gz")


def _run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def analysed(corpus_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "out"
    result = _run("analyse", corpus_file, "--out", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    return out, result


def test_analyse_writes_the_output_contract(analysed, corpus):
    out, _ = analysed
    names = {p.name for p in out.iterdir()}
    assert {"clusters.json", "clusters.csv", "series.csv", "peaks.csv"} <= names
    doc = json.loads((out / "clusters.json").read_text(encoding="utf-8"))
    assert doc["clusters"], "no cluster found"
    for i, c in enumerate(doc["clusters"]):
        assert c["id"] == i
        assert c["size"] == len(c["words"]) >= 2
        assert len(c["peak"]) == 10 and c["peak"][4] == "-"
        # Words are ordered by centrality.
        assert c["loadings"] == sorted(c["loadings"], reverse=True)
    assert {f"cluster_{c['id']:03d}.png" for c in doc["clusters"]} <= names
    assert doc["params"]["lang"] == "en"
    assert doc["summary"]["posts_read"] == len(corpus.posts) == doc["summary"]["posts_used"]


def test_same_posts_elsewhere_with_another_hash_seed_give_identical_folders(
        analysed, corpus_file, tmp_path):
    out, _ = analysed
    # Another clone: the same posts at another path, another hash seed.
    seed = "7" if os.environ.get("PYTHONHASHSEED") == "123" else "123"
    copy = tmp_path / "elsewhere" / corpus_file.name
    copy.parent.mkdir()
    shutil.copyfile(corpus_file, copy)
    again = tmp_path / "runs" / out.name
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": root}
    done = subprocess.run(
        [sys.executable, "-m", "glipca.cli", "analyse", str(copy), "--out", str(again),
         "--lang", "en", "-q"], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert sorted(p.name for p in again.iterdir()) == names
    assert "report.html" in names and "timeline.png" in names
    assert [n for n in names if (again / n).read_bytes() != (out / n).read_bytes()] == []


def test_analyse_finds_the_planted_trends(analysed, corpus):
    out, _ = analysed
    doc = json.loads((out / "clusters.json").read_text(encoding="utf-8"))
    score = score_clusters([c["words"] for c in doc["clusters"]], corpus)
    assert score["all_trends_recovered"]
    assert score["ari"] >= 0.9
    assert score["close_pairs_split"] == 1.0


def test_clusters_json_is_byte_identical_across_runs(analysed, corpus_file, tmp_path):
    out, _ = analysed
    again = tmp_path / "again"
    # The second run reads the counts from the cache: same bytes all the same.
    assert _run("analyse", corpus_file, "--out", again, "--lang", "en", "--no-plots", "-q").exit_code == 0
    assert (again / "clusters.json").read_bytes() == (out / "clusters.json").read_bytes()
    assert (again / "clusters.csv").read_bytes() == (out / "clusters.csv").read_bytes()


def test_clusters_carry_labels_and_coherence_unless_series_only(analysed, corpus_file, tmp_path):
    out, result = analysed
    doc = json.loads((out / "clusters.json").read_text(encoding="utf-8"))
    assert doc["params"]["cooccurrence"]["window"] == 3
    for c in doc["clusters"]:
        # Planted trend words share their posts: a coherent story each.
        assert c["coherence"] > 0.3 and c["n_posts_cooccur"] > 0
        label = c["label"].split()
        assert 2 <= len(label) <= 3 and set(label) <= set(c["words"])
        assert c["label"] in result.output
    assert doc["summary"]["mean_coherence"] > 0.3
    posts = json.loads((out / "posts.json").read_text(encoding="utf-8"))["posts"]
    assert all(posts)

    series_only = tmp_path / "series-only"
    run = _run("analyse", corpus_file, "--out", series_only, "--lang", "en", "--no-plots", "-q",
               "--no-cooccurrence")
    assert run.exit_code == 0, run.output
    plain = json.loads((series_only / "clusters.json").read_text(encoding="utf-8"))
    assert "cooccurrence" not in plain["params"] and "mean_coherence" not in plain["summary"]
    assert not {"label", "coherence", "n_posts_cooccur"} & set(plain["clusters"][0])
    # The paper's table, as it always was; labels and coherence with the posts.
    header = (series_only / "clusters.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "cluster,peak,rank,word,loading"
    header = (out / "clusters.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "cluster,peak,rank,word,loading,label,coherence,emerging"
    # No same-day stories planted here: the posts agree with the series.
    assert [c["words"] for c in plain["clusters"]] == [c["words"] for c in doc["clusters"]]


def test_run_json_says_how_the_results_were_made(analysed, corpus_file, tmp_path):
    out, _ = analysed
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # Files without their folders, options that differ from the defaults
    # and change the results.
    assert run["command"] == f"glipca analyse {corpus_file.name} --lang en"  # no folder
    copy = tmp_path / out.name
    shutil.copytree(out, copy)
    again = _run("analyse", corpus_file, "--out", copy, "--lang", "en", "--force", "-j", "1",
                 "--no-plots", "-q")
    assert again.exit_code == 0, again.output
    rerun = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    assert rerun["command"] == run["command"] + " --no-plots"
    digest = hashlib.sha256(corpus_file.read_bytes()).hexdigest()
    assert run["inputs"] == [{"name": corpus_file.name, "bytes": corpus_file.stat().st_size,
                              "sha256": digest}]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert f"<h1>Trend report: {corpus_file.name}</h1>" in page
    assert f"<code>{run['command']}</code>" in page and digest[:16] in page


def test_posts_of_a_cluster_without_posts_says_so(analysed, tmp_path):
    out, _ = analysed
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    posts = json.loads((copy / "posts.json").read_text(encoding="utf-8"))
    listed = _run("posts", copy, "--cluster", 1)
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == len(posts["posts"][1])
    posts["posts"][1] = []
    (copy / "posts.json").write_text(json.dumps(posts), encoding="utf-8")
    empty = _run("posts", copy, "--cluster", 1)
    assert empty.exit_code == 2 and len(empty.output.splitlines()) == 1
    assert "cluster 1 has no representative posts" in empty.output
    (copy / "posts.json").write_text('{"posts": []}', encoding="utf-8")
    none = _run("posts", copy)
    assert none.exit_code == 2 and "no representative posts were kept" in none.output


def test_existing_output_is_not_overwritten_without_force(analysed, corpus_file):
    out, _ = analysed
    before = (out / "clusters.json").read_bytes()
    result = _run("analyse", corpus_file, "--out", out, "-q")
    assert result.exit_code == 2
    assert "exists" in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert (out / "clusters.json").read_bytes() == before


def test_force_replaces_output(corpus_file, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    result = _run("analyse", corpus_file, "--out", out, "--lang", "en", "--force", "--no-plots", "-q")
    assert result.exit_code == 0, result.output
    assert not (out / "old.txt").exists() and (out / "clusters.json").exists()


def test_bad_record_gives_one_line_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "created_at": "2020-03-01T00:00:00Z", "text": "hello"}\n{"id": 2, "created_at": "not a time", "text": "x"}\n')
    out = tmp_path / "out"
    result = _run("analyse", bad, "--out", out, "--lang", "en")
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "bad.jsonl:2" in lines[0] and "created_at" in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_input_file(tmp_path):
    result = _run("analyse", tmp_path / "nope.jsonl", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "nope.jsonl" in result.output and "Traceback" not in result.output


def test_skip_mode_counts_bad_records(corpus, tmp_path):
    path = tmp_path / "posts.jsonl"
    corpus.write_jsonl(path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write('{"id": "x", "created_at": "2020-03-09T00:00:00Z"}\n')
    out = tmp_path / "out"
    result = _run("analyse", path, "--out", out, "--lang", "en", "--on-error", "skip", "--no-plots")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "clusters.json").read_text())["summary"]
    assert summary["posts_skipped"] == 2
    assert summary["posts_read"] == len(corpus.posts) + 2
    assert "2 skipped" in result.output


def test_cluster_rows_are_aligned_under_a_header_with_japanese_labels(capsys):
    from types import SimpleNamespace

    from glipca.console import print_summary

    report = SimpleNamespace(read=9, used=9, n_skipped=0, skipped={}, dropped={}, n_dropped=0,
                             repaired={}, notes=[], fields={})
    clusters = [{"id": k, "peak": "2016-05-01", "size": 2, "words": words, "label": label,
                 "coherence": 0.5} for k, (label, words) in enumerate(
                     [("コウメ太夫 チクポーレディオ", ["コウメ太夫", "チクポーレディオ"]),
                      ("wi-fi router", ["wi-fi", "router"])])]
    doc = {"clusters": clusters, "params": {"tz": "Asia/Tokyo"},
           "summary": {"periods": 120, "first_period": "2011-10-01", "last_period": "2021-09-01",
                       "n_masked_periods": 34, "words": 47, "candidate_words": 11, "alpha": 0.3,
                       "clusters": 2}}
    print_summary(doc, report, "out", "counts: counted")
    out, err = capsys.readouterr()
    # The whole summary on stdout: `glipca analyse ... > run.out` keeps it.
    assert err == "" and "(2011-10-01 .. 2021-09-01, Asia/Tokyo; 34 interpolated)" in out
    header = out.splitlines()[-3]
    assert header.split() == ["id", "peak", "size", "coh.", "label", "words"]
    rows = out.splitlines()[-2:]
    # The words start in the same terminal column (kana and kanji are two wide).
    assert [row.rstrip().rsplit("  ", 1)[1] for row in rows] == ["コウメ太夫 チクポーレディオ", "wi-fi router"]
    width = [sum(2 if ord(ch) > 0x2E80 else 1 for ch in row.rstrip().rsplit("  ", 1)[0]) for row in rows]
    assert width[0] == width[1] == header.index("words") - 2
    assert header.index("label") == rows[1].index("wi-fi router")


def test_library_advice_names_the_commands_flags(tmp_path):
    from glipca.console import in_flags

    ctx = click.Context(main.commands["analyse"])
    with ctx:
        said = in_flags("lower `min_periods` or `min_count`; `dayfirst=False`; `freq='12h'`; "
                        "`time_format='%d.%m.%Y %H:%M'`; `no_such` stays")
    assert said == ("lower --min-days or --min-count; --monthfirst; --freq 12h; "
                    "--time-format '%d.%m.%Y %H:%M'; no_such stays")
    assert in_flags("lower `min_count`") == "lower `min_count`"  # no command: Python's words


def test_console_script_exits_as_main_does(tmp_path):
    # ``run`` (the console script) is main with a quicker interpreter exit:
    # same output, same exit codes, on success and on a refusal.
    def console(*args):
        return subprocess.run([sys.executable, "-c", "from glipca.cli import run; run()", *args],
                              capture_output=True, text=True)

    version = console("--version")
    assert version.returncode == 0 and "glipca" in version.stdout
    missing = console("count", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "out"))
    assert missing.returncode != 0
    assert "absent.jsonl" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "out").exists()
