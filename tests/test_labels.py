import numpy as np
import scipy.sparse as sp

from glipca.model.cooccurrence import PostWindows
from glipca.model.labels import cluster_label
from glipca.tokens import make_tokenizer


def _windows(texts, tokenizer):
    tokens = [sorted(set(tokenizer(t))) for t in texts]
    words = sorted({w for ws in tokens for w in ws})
    col = {w: j for j, w in enumerate(words)}
    rows = [i for i, ws in enumerate(tokens) for _ in ws]
    cols = [col[w] for ws in tokens for w in ws]
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(words)))
    return PostWindows(np.zeros(len(texts), dtype=int), matrix, words, texts)


def test_label_is_the_pair_that_shares_most_posts_in_its_usual_order():
    tok = make_tokenizer("en")
    texts = (["Fidel Castro has died in Havana"] * 6 + ["Castro, Fidel: a life"] * 2
             + ["Cuba mourns"] * 5 + ["Miami celebrates Castro"] * 2 + ["nothing here"] * 10)
    posts = _windows(texts, tok)
    # Most central first, as the series ranked them.
    words = ["castro", "cuba", "fidel", "miami"]
    assert cluster_label(posts, words, 0, tokenizer=tok) == "fidel castro"
    # Without a tokenizer to read the texts, the cluster's own order.
    assert cluster_label(posts, words, 0) == "castro fidel"


def test_third_word_joins_when_it_is_in_most_of_the_pairs_posts():
    tok = make_tokenizer("en")
    texts = ["jill stein files recount"] * 4 + ["stein recount"] * 3 + ["jill stein"] * 1
    posts = _windows(texts, tok)
    label = cluster_label(posts, ["recount", "stein", "jill"], 0, tokenizer=tok)
    # stein + recount share 7 posts; jill is in 4 of them (>= half).
    assert label == "jill stein recount"
    assert cluster_label(posts, ["recount", "stein", "jill"], 0, tokenizer=tok,
                         max_words=2) == "stein recount"
    assert cluster_label(posts, ["recount", "stein", "jill"], 0, tokenizer=tok,
                         min_share=0.7) == "stein recount"


def test_label_of_words_that_share_no_post_falls_back_on_centrality():
    tok = make_tokenizer("en")
    texts = ["apple pie", "friday night"]
    posts = _windows(texts, tok)
    assert cluster_label(posts, ["friday", "apple"], 0, tokenizer=tok) == "friday apple"


def test_only_posts_near_the_peak_name_a_cluster():
    tok = make_tokenizer("en")
    texts = ["castro fidel"] + ["cuba castro"] * 5
    near = _windows(texts, tok)
    words = sorted(near.column, key=near.column.get)
    posts = PostWindows(np.array([0] + [9] * 5), near.matrix, words, texts)
    assert cluster_label(posts, ["castro", "cuba", "fidel"], 0, tokenizer=tok) == "castro fidel"
    assert cluster_label(posts, ["castro", "cuba", "fidel"], 9, tokenizer=tok) == "cuba castro"


def test_texts_may_be_read_on_demand():
    tok = make_tokenizer("en")
    texts = ["Fidel Castro has died"] * 3 + ["Cuba mourns"]
    posts = _windows(texts, tok)
    asked = []

    def read(rows):
        asked.append(list(rows))
        return [texts[r] for r in rows]

    lazy = PostWindows(posts.periods, posts.matrix, sorted(posts.column, key=posts.column.get), read)
    assert cluster_label(lazy, ["castro", "fidel"], 0, tokenizer=tok) == "fidel castro"
    assert asked == [[0, 1, 2]]
