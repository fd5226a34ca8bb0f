"""One small analysis with hostile posts, written to a results folder once per session.

Shared by the report tests: the pipeline and the figures are the slow part,
and every test only reads the folder.
"""

import functools

import pandas as pd
import pytest

from glipca.datasets import make_trend_corpus
from glipca.pipeline import run_analysis
from glipca.report.folder import write_results

#: Post text that must show as text and run nothing.
PAYLOAD = (
    "<script>window.__pwned = 1; document.title = 'PWNED';</script>"
    " <img src=x onerror=\"window.__pwned = 2\"> & \"quotes\" 'too'"
)
HOSTILE_ID = "<b id=\"evil\">7</b>&amp;"


def hostile_corpus():
    """A planted-truth corpus (two close pairs) with payload posts on trend 0's peak.

    The payload posts hold every word of trend 0 and are the earliest posts
    of their day, so that they rank first among its representative posts.
    """
    corpus = make_trend_corpus(
        lang="en", n_trends=5, n_close_pairs=2, n_background=80, posts_per_day=(600, 1000),
        seed=3,
    )
    trend = corpus.trends[0]
    peak = pd.Timestamp(trend["peak"])
    rows = []
    for d, day in enumerate([peak - pd.Timedelta(days=1), peak, peak + pd.Timedelta(days=1)]):
        rows.append({
            "id": f"{HOSTILE_ID}{d}",
            "created_at": (day + pd.Timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "text": PAYLOAD + " " + " ".join(trend["words"]),
        })
    posts = corpus.posts.astype({"id": str})
    corpus.posts = pd.concat([pd.DataFrame(rows), posts], ignore_index=True)
    return corpus


@functools.lru_cache(maxsize=None)
def _analysis():
    # Cached here, not by the fixture: each test module that imports the
    # fixtures gets fixtures of its own, and the analysis should run once.
    corpus = hostile_corpus()
    return corpus, run_analysis(corpus.posts, lang="en")


@pytest.fixture(scope="session")
def analysed_corpus():
    return _analysis()


@pytest.fixture(scope="session")
def results_folder(analysed_corpus, tmp_path_factory):
    out = tmp_path_factory.getbasetemp() / "report-results"
    if not (out / "report.html").exists():
        write_results(analysed_corpus[1], out, force=True)
    return out
