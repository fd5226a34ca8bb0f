"""A flood of words that never repeat: counted in two passes, told in one line."""

import pytest
from click.testing import CliRunner

from glipca.cli import main
from glipca.counting import prepare as prepare_module
from glipca.datasets import make_trend_corpus, write_word_flood


@pytest.fixture(scope="module")
def flood(tmp_path_factory):
    return write_word_flood(tmp_path_factory.mktemp("flood") / "flood.jsonl", 2000)


def _analyse(path, out):
    return CliRunner().invoke(main, ["analyse", str(path), "--out", str(out), "--lang", "en",
                                     "--no-cache", "-j", "1", "-q", "--no-plots"])


@pytest.mark.parametrize("two_passes", [False, True])
def test_a_flood_ends_in_one_line(flood, tmp_path, monkeypatch, two_passes):
    if two_passes:
        monkeypatch.setattr(prepare_module, "FLOOD_WORDS", 5000)
    ran = _analyse(flood, tmp_path / "out")
    assert ran.exit_code == 2
    line, = ran.output.strip().splitlines()
    assert line.startswith("glipca: error: no word is in ") and "lower --min-count" in line
    # 2,000 posts of 20 words: 40,000 distinct words (a repeat is unlikely).
    assert ("about 40000 distinct words" if two_passes else "of 40000 distinct words") in line
    assert not (tmp_path / "out").exists()


def test_two_passes_find_what_one_pass_finds(flood, tmp_path, monkeypatch):
    from glipca.pipeline import run_analysis
    from glipca.report.document import clusters_document

    corpus = make_trend_corpus(lang="en", n_trends=3, n_close_pairs=0, n_background=60,
                               posts_per_day=(150, 200), n_days=28, start="2021-02-01", seed=2)
    both = tmp_path / "both.jsonl"
    both.write_text(corpus.write_jsonl(tmp_path / "c.jsonl").read_text(encoding="utf-8")
                    + "".join(flood.read_text(encoding="utf-8").splitlines(True)[::3]),
                    encoding="utf-8")
    fast = dict(lang="en", n_resamples=0, jobs=1)
    one = run_analysis(both, **fast)
    monkeypatch.setattr(prepare_module, "FLOOD_WORDS", 5000)
    two = run_analysis(both, **fast)
    a, b = clusters_document(two), clusters_document(one)
    # The summary tells the vocabulary counted, and the note why it is smaller.
    assert a["summary"].pop("vocabulary") < b["summary"].pop("vocabulary")
    assert a["summary"].pop("input_notes") and "input_notes" not in b["summary"]
    assert one.model.clusters_ and a == b
    assert two.counts.n_words < one.counts.n_words / 10  # the flood was left out
    assert any("left out while counting" in note for note in two.report.notes)
    assert (two.counts.posts == one.counts.posts).all()
