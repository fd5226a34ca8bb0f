"""Checksums that let a count store tell when its files were damaged.

The manifest records, for each part, its posts, its size and the SHA-256 of
its ``posts.parquet``; the SHA-256 of the vocabulary it uses (the first
``words`` words, which later appends never change); and the SHA-256 of the
manifest itself, so that an edit by hand is found too.  Stores made before
these checks read as before: what is not recorded is not checked.
"""

from __future__ import annotations

import hashlib
import json

from .location import location

__all__ = ["StoreDamaged", "file_sha256", "words_sha256", "seal", "check_seal", "check_part"]

_BLOCK = 1 << 20


class StoreDamaged(ValueError):
    """A file of a count store does not match its manifest."""

    def __init__(self, folder, what):
        self.folder, self.what = folder, what
        super().__init__(f"{folder}: {what}; run glipca store verify {folder}")


def file_sha256(path) -> str:
    h = hashlib.sha256()
    with location(path).open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def words_sha256(words) -> str:
    """SHA-256 of a vocabulary (a list of words, in number order)."""
    return hashlib.sha256(json.dumps(words, ensure_ascii=False).encode("utf-8")).hexdigest()


def _digest(doc):
    body = {k: v for k, v in doc.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(doc) -> dict:
    """``doc`` with its ``checksum`` set (put last, after the fields it covers)."""
    doc.pop("checksum", None)
    doc["checksum"] = _digest(doc)
    return doc


def check_seal(doc, folder, name="store.json"):
    """Raise :class:`StoreDamaged` when the manifest (file ``name``) is not the one written."""
    if "checksum" in doc and doc["checksum"] != _digest(doc):
        raise StoreDamaged(folder, f"{name} does not match its checksum (edited by hand?)"
                           + _first_difference(doc))


def _first_difference(doc):
    """Where an edited manifest contradicts itself, as far as it tells."""
    try:
        for key, parts in doc["parts"].items():
            held = sum(doc["checks"][p]["posts"] for p in parts if p in doc["checks"])
            if doc["posts"].get(key) != held and all(p in doc["checks"] for p in parts):
                return (f": period {key} says {doc['posts'].get(key)} posts, its parts "
                        f"{', '.join(parts)} hold {held}")
    except (KeyError, TypeError, AttributeError):
        pass
    return ""


def part_check(path, posts) -> dict:
    """What the manifest records of a part just written."""
    path = location(path)
    return {"posts": int(posts), "bytes": path.stat().st_size, "sha256": file_sha256(path)}


def check_part(folder, name, check, path):
    """Raise :class:`StoreDamaged` when part ``name`` (its ``posts.parquet`` at
    ``path``) is missing or differs from ``check`` (None: nothing recorded)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise StoreDamaged(folder, f"part {name} is missing") from None
    if check is None:
        return
    if size != check["bytes"]:
        raise StoreDamaged(folder, f"part {name} has {size} bytes, the manifest says {check['bytes']}")
    if file_sha256(path) != check["sha256"]:
        raise StoreDamaged(folder, f"part {name} does not match its checksum")
