"""A new analyst's own small export: small data, dates, separators, scripts,
folders, empty texts, the console, and "why nothing?".

The inputs are in tests/inputs/, written by tests/inputs/make_small_inputs.py
(generated, deterministic; see its docstring for what each file holds).
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import glipca
from glipca.cli import main
from glipca.ingest import IngestReport, read_posts
from glipca.model.cooccurrence import CooccurrenceSplit
from glipca.model.emerging import emergence

INPUTS = Path(__file__).resolve().parent / "inputs"
ROOT = Path(__file__).resolve().parents[1]


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _analyse(path, out, *args):
    return _cli("analyse", path, "--out", out, "--no-cache", "--no-plots", "--jobs", "1", *args)


def _clusters(out):
    return json.loads((Path(out) / "clusters.json").read_text(encoding="utf-8"))


def test_the_inputs_are_what_their_script_writes(tmp_path):
    sys.path.insert(0, str(INPUTS))
    try:
        import make_small_inputs
    finally:
        sys.path.remove(str(INPUTS))
    make_small_inputs.write_all(tmp_path)
    for made in sorted(tmp_path.iterdir()):
        assert made.read_bytes() == (INPUTS / made.name).read_bytes(), made.name


# --- Small data ------------------------------------------------------------


@pytest.mark.parametrize("name, burst, peak", [
    ("small_en.csv", {"volcano", "eruption"}, "2024-03-14"),
    ("small_ja.jsonl", {"停電", "台風"}, "2024-03-09"),
])
def test_a_few_hundred_posts_over_20_days_give_their_planted_burst(tmp_path, name, burst, peak):
    result = _analyse(INPUTS / name, tmp_path / "o")
    assert result.exit_code == 0, result.output
    doc = _clusters(tmp_path / "o")
    s = doc["summary"]
    # 441 posts (16 to 28 a day), 300 posts (11 to 20 a day): by day.
    assert s["posts_used"] == {"small_en.csv": 441, "small_ja.jsonl": 300}[name]
    assert doc["params"]["freq"] == "D" and s["periods"] == 20
    found = [c for c in doc["clusters"] if burst <= set(c["words"])]
    assert len(found) == 1 and found[0]["peak"] == peak
    # Nothing but the burst: the counting-noise floor keeps chance words out.
    assert s["clusters"] == 1 and s["candidate_words"] == 2


def test_the_posts_per_period_floor_is_an_option_with_one_message_when_nothing_can_work(tmp_path):
    result = _analyse(INPUTS / "small_en.csv", tmp_path / "o", "--min-posts", "25")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    # The message says what the data lacks and the one change that works.
    assert line == ("glipca: error: only 6 of 20 periods (2024-03-01 to 2024-03-20 at freq D) have "
                    "at least 25 posts (--min-posts); at least 14 are needed: the 14th busiest has "
                    "19; lower --min-posts to 19 (noisier frequencies) or add posts")
    assert _analyse(INPUTS / "small_en.csv", tmp_path / "o2", "--min-posts", "19").exit_code == 0
    assert _clusters(tmp_path / "o2")["params"]["min_posts"] == 19
    # Weeks would be too few; the advice names days, never "--freq auto" again.
    weekly = _analyse(INPUTS / "small_en.csv", tmp_path / "o3", "--freq", "W")
    assert weekly.exit_code == 2 and weekly.output.strip().endswith("use --freq D")
    # The same keyword in Python.
    with pytest.raises(ValueError, match="have at least 25 posts"):
        glipca.analyse(INPUTS / "small_en.csv", min_posts=25, jobs=1)


# --- Dates -----------------------------------------------------------------


def test_day_first_dates_are_read_day_first_from_the_first_row():
    report = IngestReport()
    posts = list(read_posts(INPUTS / "dayfirst.csv", report=report))
    iso = list(read_posts(INPUTS / "small_en.csv"))
    # 01/03/2024 is 1 March: 14/03/2024, far down the file, settled it.
    assert [p.time for p in posts] == [p.time for p in iso]
    assert posts[0].time.isoformat() == "2024-03-01T00:28:00+00:00"
    assert report.fields["dayfirst.csv"]["dates"] == "day-first"


def test_an_all_ambiguous_file_is_refused_in_one_line(tmp_path):
    result = _analyse(INPUTS / "ambiguous.csv", tmp_path / "o")
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"glipca: error: {INPUTS / 'ambiguous.csv'}: field 'date': every date "
                           "is ambiguous (40 like '01/03/2024 00:28': day or month first?)")
    assert "--dayfirst or --monthfirst" in line and "--time-format '%d/%m/%Y %H:%M'" in line
    # From Python, the same advice in Python's words.
    with pytest.raises(ValueError) as err:
        list(read_posts(INPUTS / "ambiguous.csv"))
    assert "dayfirst=True" in str(err.value) and "time_format='%d/%m/%Y %H:%M'" in str(err.value)
    assert "--" not in str(err.value)
    # Told the order, it reads.
    assert _analyse(INPUTS / "ambiguous.csv", tmp_path / "o", "--dayfirst").exit_code == 2  # too few days
    posts = list(read_posts(INPUTS / "ambiguous.csv", dayfirst=False))
    assert posts[0].time.month == 1 and posts[0].time.day == 3


def test_a_month_first_date_among_day_first_ones_names_the_expected_format(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("date,text\n14/03/2024 10:00,a b c\n03/15/2024 10:00,d e f\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"mixed.csv:3: field 'date': unparseable timestamp "
                                         r"'03/15/2024 10:00' \(expected DD/MM/YYYY"):
        list(read_posts(path))


def test_dotted_dates_are_read_with_a_time_format(tmp_path):
    posts = list(read_posts(INPUTS / "dotted.csv", time_format="%d.%m.%Y %H:%M"))
    assert [p.time for p in posts] == [p.time for p in read_posts(INPUTS / "small_en.csv")]
    result = _analyse(INPUTS / "dotted.csv", tmp_path / "o", "--time-format", "%d.%m.%Y %H:%M")
    assert result.exit_code == 0, result.output
    assert "time 'date' (format '%d.%m.%Y %H:%M')" in result.output
    assert [c["peak"] for c in _clusters(tmp_path / "o")["clusters"]] == ["2024-03-14"]
    # A format the times do not match says which.
    bad = _analyse(INPUTS / "small_en.csv", tmp_path / "o2", "--time-format", "%d.%m.%Y %H:%M")
    assert bad.exit_code == 2
    assert ("field 'date': timestamp '2024-03-01 00:28' does not match the time format "
            "'%d.%m.%Y %H:%M'") in bad.output


# --- Separators ------------------------------------------------------------


def test_a_semicolon_csv_with_a_byte_order_mark_is_read(tmp_path):
    report = IngestReport()
    posts = list(read_posts(INPUTS / "semicolon_bom.csv", report=report))
    iso = list(read_posts(INPUTS / "small_en.csv"))
    # Texts with commas are whole: the columns were split at ';'.
    assert [(p.time, p.text) for p in posts] == [(p.time, p.text) for p in iso]
    assert report.fields["semicolon_bom.csv"] == {"text": "message", "time": "date", "id": None,
                                                 "sep": ";"}
    result = _analyse(INPUTS / "semicolon_bom.csv", tmp_path / "o")
    assert result.exit_code == 0 and "columns split at ';'" in result.output


def test_a_forced_separator_is_used_and_named_in_advice(tmp_path):
    result = _analyse(INPUTS / "semicolon_bom.csv", tmp_path / "o", "--sep", ",")
    assert result.exit_code == 2
    assert ("no text column or field recognised among: date;message (columns split at ','; "
            "choose one with --text-field, or another separator with --sep)") in result.output
    for sep in ("\t", "|"):
        path = tmp_path / "t.csv"
        path.write_text((INPUTS / "semicolon_bom.csv").read_text(encoding="utf-8-sig")
                        .replace(";", sep), encoding="utf-8")
        assert len(list(read_posts(path))) == 441


# --- A plain script --------------------------------------------------------


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    script = tmp_path / "api1.py"
    out = tmp_path / "results"
    script.write_text(
        "import glipca\n"
        "from glipca.counting.parallel import _context\n"
        "print('top level ran', flush=True)\n"
        f"result = glipca.analyse({str(ROOT / 'data/russian_troll_tweets_2016q4/sample.jsonl.gz')!r},"
        " jobs=2, n_resamples=12)\n"
        f"result.save({str(out)!r}, jobs=2)\n"
        "print(len(result), 'clusters;', _context().get_start_method())\n", encoding="utf-8")
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=600)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.count("top level ran") == 1
    assert "Traceback" not in ran.stderr and "warning" not in ran.stderr.lower()
    assert ran.stdout.strip().endswith("clusters; fork")  # workers forked, all cores used
    assert (out / "report.html").exists()


def test_a_guarded_script_keeps_the_fork_server(tmp_path):
    script = tmp_path / "guarded.py"
    script.write_text("from glipca.counting.parallel import _context\n"
                      "if __name__ == '__main__':\n"
                      "    print(_context().get_start_method())\n", encoding="utf-8")
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120)
    assert ran.stdout.strip() == "forkserver"


# --- Folders, empty texts, the console -------------------------------------


def test_output_folders_follow_the_umask_and_an_empty_one_is_accepted(tmp_path):
    out = tmp_path / "made-before"
    out.mkdir()
    before = os.umask(0o022)
    try:
        result = _analyse(INPUTS / "small_en.csv", out)
    finally:
        os.umask(before)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "clusters.json").stat().st_mode) == 0o644
    # Not empty now: refused without --force.
    again = _analyse(INPUTS / "small_en.csv", out)
    assert again.exit_code == 2 and "output folder exists" in again.output


def test_an_empty_text_is_dropped_and_counted(tmp_path):
    report = IngestReport()
    posts = list(read_posts(INPUTS / "empty_text.csv", report=report))
    assert len(posts) == 28 and dict(report.dropped) == {"empty_text": 2} and not report.skipped
    result = _cli("count", INPUTS / "empty_text.csv", "--out", tmp_path / "c", "--no-cache")
    assert result.exit_code == 0
    assert "posts: 30 read, 28 used, 0 skipped, 2 dropped (empty_text: 2)" in result.output
    meta = json.loads((tmp_path / "c" / "meta.json").read_text(encoding="utf-8"))
    assert meta["fields"] == {"empty_text.csv": {"text": "text", "time": "date", "id": "id",
                                                 "sep": ","}}


def test_the_whole_summary_goes_to_stdout(tmp_path):
    out = tmp_path / "o"
    ran = subprocess.run(
        [sys.executable, "-m", "glipca.cli", "analyse", str(INPUTS / "small_en.csv"), "--out",
         str(out), "--no-cache", "--lang", "ja"],
        capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "posts: 441 read, 441 used, 0 skipped"
    assert lines[1] == "fields: text 'text', time 'date', id 'id', columns split at ','"
    assert lines[3].startswith("periods: 20 (2024-03-01 .. 2024-03-20, UTC)")
    assert f"1 story of 1 trend cluster written to {out} (mean coherence 1.00)" in lines
    assert lines[-2] == f"report: {out / 'report.html'}" and lines[-1].startswith("time: ")
    assert any(line.split()[:2] == ["story", "peak"] for line in lines)
    # On stderr, only the warning: English posts counted as Japanese keep UTC days.
    assert ran.stderr.splitlines() == [
        "glipca: warning: lang 'ja' was given, but the first posts look written in 'en': day "
        "boundaries stay in UTC, the zone of 'en' posts (give a time zone, --tz Asia/Tokyo, to "
        "use that of 'ja')"]


def test_identical_analyses_in_two_folders_are_equal(tmp_path):
    for name in ("a", "b"):
        assert _analyse(INPUTS / "small_en.csv", tmp_path / name).exit_code == 0
    a, b = glipca.load(tmp_path / "a"), glipca.load(tmp_path / "b")
    assert a.equals(b) and "--out" not in a._results.run["command"]
    frame = a.clusters_frame()
    assert frame.loc[0, "label"] == "volcano eruption" and frame.loc[0, "coherence"] == 1.0
    assert not frame.loc[0, "emerging"]
    table = pd.read_csv(tmp_path / "a" / "clusters.csv")
    assert list(table.columns) == ["cluster", "peak", "rank", "word", "loading", "label",
                                   "coherence", "emerging"]


def test_since_after_until_says_so(tmp_path):
    result = _analyse(INPUTS / "small_en.csv", tmp_path / "o", "--since", "2024-03-10",
                      "--until", "2024-03-01")
    assert result.exit_code == 2
    assert result.output.strip() == ("glipca: error: since 2024-03-10 is later than until "
                                     "2024-03-01: the window would hold nothing (swap them?)")


# --- Why nothing? ----------------------------------------------------------


def test_without_clusters_the_strongest_candidates_say_what_set_them_aside(tmp_path):
    # Posts told the burst 14 times: a bar of 40 sets it aside.
    result = glipca.analyse(INPUTS / "small_ja.jsonl", jobs=1,
                            cooccurrence=CooccurrenceSplit(min_posts=40))
    assert len(result) == 0
    why = result.summary["set_aside"]
    assert [(w["word"], w["step"], w["figure"], w["threshold"]) for w in why] == [
        ("停電", "cooccurrence", 14, 40), ("台風", "cooccurrence", 14, 40)]
    assert why[0]["reason"] == ("linked to 台風 (partial correlation 0.45), but only 14 distinct "
                                "posts within 3 periods of its peak hold both (a story needs 40)")
    result.save(tmp_path / "o", jobs=1)
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "Set aside by" in page and "only 14 distinct posts" in page
    assert _clusters(tmp_path / "o")["summary"]["set_aside"] == why
    # On the command line: a cluster needs more words than the burst has.
    ran = _analyse(INPUTS / "small_en.csv", tmp_path / "c", "--min-cluster-size", "3")
    assert "0 trend clusters written" in ran.output
    assert ("  eruption  (peak 2024-03-14, z 11.6)  clustering: linked to volcano (partial "
            "correlation 0.45), but GLIPCA's eigen-steps left its group under 3 words") in ran.output


def test_an_unlinked_candidate_is_set_aside_by_the_graph_with_its_largest_correlation():
    from glipca.model.cluster import GLIPCA
    from glipca.model.diagnosis import set_aside

    rng = np.random.default_rng(0)
    index = pd.date_range("2024-03-01", periods=30, freq="D", tz="UTC")
    bump = np.exp(-((np.arange(30) - 10) ** 2) / 4)
    frame = pd.DataFrame({"a": bump + 0.05 * rng.standard_normal(30),
                          "b": np.roll(bump, 12) + 0.05 * rng.standard_normal(30)}, index=index)
    model = GLIPCA(alpha=0.5).fit(frame)
    assert not model.clusters_
    corr = abs(float(np.corrcoef(frame["a"], frame["b"])[0, 1]))
    peaks = pd.DataFrame({"is_trend": [True, True], "peak": [index[10], index[22]],
                          "z": [9.0, 8.0]}, index=pd.Index(["a", "b"], name="word"))
    (a, b) = set_aside(peaks, model, index)
    assert (a["word"], a["step"], a["partner"], a["threshold"]) == ("a", "graph", "b", 0.5)
    assert a["figure"] == pytest.approx(corr) and a["figure"] < 0.5
    assert a["reason"].startswith("no direct link: its largest correlation with another "
                                  f"candidate (b, {corr:.2f}) is under the graphical lasso's")


def test_a_cluster_falling_on_the_last_day_is_not_emerging():
    # burning flag on the bundled sample: nothing, then 2.1 % of posts on
    # 2016-11-29 and 0.8 % on 2016-11-30, the last day.
    n = 30
    frame = pd.DataFrame(index=pd.date_range("2016-11-01", periods=n, freq="D", tz="UTC"))
    frame.attrs["posts"] = (400,) * n
    frequency = np.zeros(n)
    frequency[-2:] = [0.0209, 0.0081]
    assert emergence(frequency, frequency, frame) is None
    frequency[-2:] = [0.0081, 0.0209]  # still rising: emerging
    assert emergence(frequency, frequency, frame) is not None
