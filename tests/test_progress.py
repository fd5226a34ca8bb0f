"""Progress bars on a terminal, silence elsewhere, and stage times."""

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import glipca
from glipca.cli import main
from glipca.datasets import make_trend_corpus
from glipca.progress import StageTimes, progress_bar, watched

ROOT = Path(glipca.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    corpus = make_trend_corpus(lang="en", n_trends=4, n_close_pairs=0, n_background=60,
                               posts_per_day=(300, 500), seed=5)
    return corpus.write_jsonl(tmp_path_factory.mktemp("in") / "posts.jsonl")


def _on_a_terminal(*args, cache):
    """Run the command line with stdout and stderr on a pseudo-terminal; its output."""
    leader, follower = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT), GLIPCA_CACHE=str(cache), COLUMNS="100")
    proc = subprocess.Popen([sys.executable, "-m", "glipca.cli", *map(str, args)],
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 600)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0, out.decode(errors="replace")
    return out.decode("utf-8", errors="replace")


def test_a_terminal_shows_progress_and_quiet_shows_nothing(corpus_file, tmp_path):
    out = _on_a_terminal("analyse", corpus_file, "--out", tmp_path / "a", "--lang", "en",
                         "--jobs", "1", cache=tmp_path / "cache")
    # tqdm draws each bar as it opens, then redraws it in place.
    assert "counting" in out and "posts/s" in out, out
    assert "stability" in out and "resamples/s" in out, out
    assert "model: clustering" in out, out
    assert "figures" in out and "figures/s" in out, out
    assert "stories" in out and "clusters/s" in out, out
    assert "\r" in out
    assert "time: " in out and "(counting " in out
    quiet = _on_a_terminal("analyse", corpus_file, "--out", tmp_path / "q", "--lang", "en",
                           "--jobs", "1", "--quiet", cache=tmp_path / "cache")
    assert quiet == ""
    assert (tmp_path / "q" / "clusters.json").read_bytes() == (tmp_path / "a" / "clusters.json").read_bytes()


def test_no_bar_when_output_is_not_a_terminal(corpus_file, tmp_path):
    # As in a CI log: the summary, with the stage times, but no bar.
    result = CliRunner().invoke(
        main, ["analyse", str(corpus_file), "--out", str(tmp_path / "o"), "--lang", "en", "--no-plots"],
    )
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr and "/s]" not in result.stderr
    assert result.stderr == ""  # the summary is on stdout, whole
    assert result.stdout.splitlines()[-1].startswith("time: ")


def test_bars_only_where_watched(capsys, tmp_path):
    # capsys's stderr is not a terminal, as in a CI log.
    for asked in (False, True):
        with progress_bar(asked, desc="stage", total=3) as bar:
            bar.update()
            bar.set_postfix(a=1)
    assert capsys.readouterr().err == ""
    with open(tmp_path / "log", "w") as log:
        assert not watched(log)
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as term:
        assert watched(term)
    os.close(leader)


def test_stage_times_add_up_in_order():
    times = StageTimes()
    for stage in ("counting", "model", "counting"):
        with times(stage):
            pass
    assert list(times.seconds) == ["counting", "model"]
    assert times.total() == pytest.approx(sum(times.seconds.values()))
    assert times.line().endswith(")") and "counting " in times.line()
