"""glipca: trend clustering of social media posts.

Graphical-lasso-guided iterative PCA (GLIPCA) finds groups of words whose
daily frequencies share a single peak and are *directly* correlated.
"""

__version__ = "0.1.0"

# Submodules are imported lazily so that ``glipca --help`` and light uses of
# the package do not pay for matplotlib, scikit-learn or MeCab.
_LAZY = {
    "GLIPCA": "glipca.model.cluster",
    "graphical_lasso": "glipca.model.glasso",
    "read_posts": "glipca.ingest",
    "count_words": "glipca.counting.counts",
    "make_tokenizer": "glipca.tokens",
    "analyse": "glipca.result",
    "load": "glipca.result",
    "TrendResult": "glipca.result",
    "compare": "glipca.compare",
    "CountStore": "glipca.counting.store",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'glipca' has no attribute {name!r}")


def __dir__():
    return __all__
