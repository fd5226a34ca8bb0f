"""The manifest of a count store: its one writer and reader, and what it decides.

A manifest (``store.json`` of a local store, ``manifests/<n>.json`` of one
on object storage, :mod:`.objectstore`) is sealed JSON (:mod:`.integrity`);
:func:`manifest_text` writes it and :func:`parse_manifest` reads it back.
The vocabulary it uses is a Parquet file of one ``word`` column, written by
:func:`write_vocabulary` and read by :func:`read_vocabulary`.
"""

from __future__ import annotations

import json

from ..ingest import IngestReport
from .integrity import StoreDamaged, check_seal, seal
from .location import read_table

__all__ = ["FORMAT", "ConcurrentAppend", "LostRace", "empty_manifest", "parse_manifest",
           "manifest_text", "new_inputs", "write_vocabulary", "read_vocabulary"]

FORMAT = 1


class ConcurrentAppend(OSError):
    """Another append replaced the manifest while this one held the lock:
    the file system does not honour locks.  Nothing was added."""


class LostRace(ConcurrentAppend):
    """Another append made the manifest this one was about to make (a store
    on object storage, :mod:`.objectstore`): this one tries again."""


def empty_manifest():
    """The manifest of a store no append has made yet."""
    return {"format": FORMAT, "params": None, "inputs": [], "appends": 0, "words": 0,
            "report": IngestReport().as_dict(), "parts": {}}


def parse_manifest(text, folder, name):
    """The manifest of ``text`` (file ``name`` of store ``folder``), its seal checked."""
    try:
        doc = json.loads(text)
    except ValueError:
        raise StoreDamaged(folder, f"{name} is not valid JSON") from None
    if not isinstance(doc, dict):
        raise StoreDamaged(folder, f"{name} is not a manifest")
    if doc.get("format") != FORMAT:
        raise ValueError(f"{folder}: store format {doc.get('format')!r}, expected {FORMAT}")
    check_seal(doc, folder, name)
    return doc


def manifest_text(doc) -> str:
    """The text of the manifest ``doc``, sealed: the one writer of the format."""
    return json.dumps(seal(doc), ensure_ascii=False, indent=1)


def new_inputs(doc, files, content, params):
    """The ``files`` whose content the manifest ``doc`` does not list, once its
    options are checked against ``params``."""
    _check_params(doc["params"], params)
    known = {json.dumps(c, sort_keys=True) for c in doc["inputs"]}
    return [f for f, c in zip(files, content) if json.dumps(c, sort_keys=True) not in known]


def _check_params(stored, given):
    if stored is None or stored == given:
        return
    differ = sorted(k for k in set(stored) | set(given) if stored.get(k) != given.get(k))
    raise ValueError("the store was made with other options (" + ", ".join(differ) + "); "
                     "append with the store's options or start another store")


def write_vocabulary(vocabulary, sink):
    """Write the words of ``vocabulary`` (in number order) to ``sink`` (a path or
    an open file); :func:`read_vocabulary` reads them back."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"word": pa.array(vocabulary, type=pa.string())}), sink)


def read_vocabulary(path) -> list:
    """The words of a vocabulary file (a Path or RemotePath), in number order."""
    return read_table(path).column("word").to_pylist()

