"""Tokenise texts chunk by chunk, in this process or in worker processes.

Workers receive texts and send back compact results: per chunk, the words
met (a local vocabulary) and, per text, how many distinct words it holds and
their local ids.  Results come back in submission order and at most
``2 * jobs`` chunks are in flight, so memory does not grow with the input
and the result does not depend on the number of jobs.

The pool uses the ``spawn`` start method, which is safe whatever threads the
parent runs and behaves the same on every platform; the tokeniser is sent to
each worker once, pickled (a MeCab tagger is not pickled: each worker makes
its own).
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import pickle
import signal
from array import array

__all__ = ["available_cores", "tokenize_chunk", "map_chunks"]

#: A pool is started only for inputs of more than this many chunks: for
#: fewer, starting the workers costs more than it saves.
MIN_CHUNKS_FOR_POOL = 8


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def tokenize_chunk(tokenizer, texts):
    """Tokenise texts into a local vocabulary and id arrays.

    Parameters
    ----------
    tokenizer : callable
        ``tokenizer(text) -> list of str``.
    texts : list of str

    Returns
    -------
    words : list of str
        Distinct words, in the order first met.
    lens : array.array of int32
        Number of distinct words of each text.
    ids : array.array of int32
        Indices into ``words``, text after text (each word once per text).
    """
    vocab = {}
    get = vocab.get
    lens, ids = array("i"), array("i")
    for text in texts:
        n = 0
        for word in set(tokenizer(text)):
            i = get(word)
            if i is None:
                i = vocab[word] = len(vocab)
            ids.append(i)
            n += 1
        lens.append(n)
    return list(vocab), lens, ids


_WORKER_TOKENIZER = None


def _init_worker(tokenizer):
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = tokenizer
    # Ctrl-C reaches the whole process group: the parent handles it and
    # stops the pool, so that workers do not each print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(texts):
    return tokenize_chunk(_WORKER_TOKENIZER, texts)


def map_chunks(tokenizer, chunks, jobs=1):
    """Tokenise each chunk; yield ``(tag, tokenize_chunk(...))`` in order.

    Parameters
    ----------
    tokenizer : callable
        Must be picklable when ``jobs > 1``.
    chunks : iterable of (tag, list of str)
        Consumed lazily; ``tag`` stays in this process.
    jobs : int, default 1
        Worker processes; 1 tokenises in this process.

    Raises
    ------
    TypeError
        If ``jobs > 1`` and the tokenizer cannot be pickled.
    """
    jobs = int(jobs)
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    chunks = iter(chunks)
    if jobs > 1:
        head = list(itertools.islice(chunks, MIN_CHUNKS_FOR_POOL + 1))
        if len(head) <= MIN_CHUNKS_FOR_POOL:
            jobs = 1
        chunks = itertools.chain(head, chunks)
    if jobs == 1:
        for tag, texts in chunks:
            yield tag, tokenize_chunk(tokenizer, texts)
        return
    try:
        pickle.dumps(tokenizer)
    except Exception as exc:
        raise TypeError(f"jobs > 1 needs a picklable tokenizer ({exc})") from None
    yield from _pooled(tokenizer, chunks, jobs)


def _pooled(tokenizer, chunks, jobs):
    pool = multiprocessing.get_context("spawn").Pool(
        jobs, initializer=_init_worker, initargs=(tokenizer,)
    )
    pending = collections.deque()
    try:
        for tag, texts in chunks:
            pending.append((tag, pool.apply_async(_work, (texts,))))
            # Two chunks per worker keep every worker busy while this
            # process reads the next chunk, and bound what is in flight.
            if len(pending) >= 2 * jobs:
                tag, result = pending.popleft()
                yield tag, result.get()
        while pending:
            tag, result = pending.popleft()
            yield tag, result.get()
        pool.close()
    finally:
        # On an error (or an abandoned generator) workers are stopped at once.
        pool.terminate()
        pool.join()
