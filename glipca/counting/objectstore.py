"""A count store on object storage: appends that take turns without a lock.

Object stores (S3, Google Cloud Storage, Azure Blob, any fsspec file system
that can create a file exclusively) have neither locks nor atomic renames,
so a store there is written by optimistic concurrency instead of the lock
and rename of a local store (:mod:`.store`).  Under its URL:

* ``manifests/<generation:012d>.json``: the manifests, one per append,
  never rewritten: the same fields as a local ``store.json`` (sealed, with
  the parts' checksums, :mod:`.integrity`), and ``attempt`` (the append
  that made it) and ``vocabulary`` (the name of its vocabulary file).  The
  store is its highest generation;
* ``words/<generation:012d>-<attempt>.parquet``: the vocabulary as of that
  manifest (words only ever added at its end);
* ``parts/<period key>/<generation:06d>-<attempt>/posts.parquet``: the posts
  of one period added by one append.

An append counts its files first, touching nothing.  Then it reads the
latest manifest (generation N), maps its words to the store's numbers,
drops the posts whose id the store holds, writes its parts and vocabulary
under names no other append uses (``attempt`` is random), and creates
manifest N + 1 *exclusively* (``fs.open(path, "xb")``: S3's conditional
write, a local ``O_EXCL``).  Where another append made N + 1 first, the
create fails: the append removes what it wrote and tries again on the new
manifest, without counting again, a bounded number of times
(:data:`RACES`).  So two appends never lose each other's posts, and a
reader, which reads one manifest and the files it names, never sees an
append half made.  Before its first write an append checks that the file
system refuses a second exclusive create of one file, and refuses to go on
where it does not.

What an append that died (or lost, and died before cleaning up) wrote is
named by no manifest, and never will be once a manifest of its generation
exists: :func:`collect_garbage` (``glipca store gc URL``) removes exactly
those files, never one that an append still running may name.
"""

from __future__ import annotations

import contextlib
import random
import re
import secrets
import time

from .integrity import StoreDamaged
from .location import RemotePath, remote_path
from .manifest import (ConcurrentAppend, LostRace, empty_manifest, manifest_text, new_inputs,
                       parse_manifest, read_vocabulary, write_vocabulary)
from .postwords import POSTS_FILE

__all__ = ["ObjectStore", "CommitUncertain", "collect_garbage", "RACES"]

#: Lost races after which an append gives up (nothing added).
RACES = 20
_MANIFESTS, _WORDS = "manifests", "words"
_MANIFEST_NAME = re.compile(r"(\d{12})\.json")
_PART_NAME = re.compile(r"(\d{6})-([0-9a-f]+)")
_WORDS_NAME = re.compile(r"(\d{12})-([0-9a-f]+)\.parquet")
# Seconds a reader waits for a manifest that reads as not yet whole (file
# systems where an exclusive create shows the file before it is written).
_PATIENCE = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


class CommitUncertain(ConcurrentAppend):
    """Making the manifest failed in a way that does not tell whether it was
    made: what the append wrote is left for :func:`collect_garbage`."""


class ObjectStore:
    """What a count store on object storage does otherwise than a local one:
    the methods of :class:`~glipca.counting.store.ObjectCountStore` (this and
    :class:`~glipca.counting.store.CountStore`) that find, read and make
    its manifests and vocabularies."""

    on_object_storage = True

    def __init__(self, folder, storage_options=None):
        self.folder = folder if isinstance(folder, RemotePath) else remote_path(folder, storage_options)
        self._exclusive = False  # checked once, before the first append writes

    # -- reading -----------------------------------------------------------

    def generation(self) -> int:
        """The number of the latest manifest (0: an empty store)."""
        found = (_MANIFEST_NAME.fullmatch(n) for n in (self.folder / _MANIFESTS).listing())
        return max((int(m.group(1)) for m in found if m), default=0)

    def manifest(self) -> dict:
        """The latest manifest, or that of an empty store."""
        for wait in (*_PATIENCE, None):
            generation = self.generation()
            if not generation:
                return empty_manifest()
            name = f"{_MANIFESTS}/{generation:012d}.json"
            try:
                doc = parse_manifest((self.folder / name).read_text(), self.folder, name)
            except StoreDamaged:
                if wait is None:
                    raise
                time.sleep(wait)  # being written, where files show before they are whole
                continue
            if doc.get("appends") != generation:
                raise StoreDamaged(self.folder, f"{name} says it is manifest {doc.get('appends')}")
            return doc

    def words(self, n=None) -> list:
        words = self._words_of(self.manifest())
        return words if n is None else words[:n]

    def _words_of(self, doc):
        if not doc.get("vocabulary"):
            return []
        try:
            words = read_vocabulary(self.folder / doc["vocabulary"])
        except FileNotFoundError:
            # Removed by collect_garbage once a later manifest named another:
            # vocabularies only grow at their end, so that one starts alike.
            words = read_vocabulary(self.folder / self.manifest()["vocabulary"])
        return words[:doc["words"]]

    # -- appending ---------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, files, content, params, *, wait=True, notify=None):
        """One attempt at an append of ``files``: as a local store's
        transaction, without a lock (``wait`` and ``notify`` have nothing to
        do).  The manifest yielded names the ``attempt``; what the attempt
        wrote is removed if it fails, unless it may have been committed."""
        self._check_exclusive_create()
        doc = self.manifest()
        doc["attempt"] = secrets.token_hex(8)
        new = new_inputs(doc, files, content, params)
        done = {"added": 0, "repeated": 0, "periods": 0, "skipped_inputs": len(files) - len(new)}
        try:
            yield doc, new, done
        except CommitUncertain:
            raise
        except BaseException as err:
            with contextlib.suppress(Exception):
                self._discard_attempt(doc, known=isinstance(err, LostRace))
            raise

    def after_lost_race(self, attempt, lost):
        """Wait a little (more after each loss) before the next attempt, or give up."""
        if attempt + 1 >= RACES:
            raise ConcurrentAppend(f"{self.folder}: other appends made the next manifest first "
                                   f"{RACES} times in a row; nothing was added, run the append "
                                   "again") from None
        time.sleep(random.uniform(0, min(2.0, 0.02 * 2 ** attempt)))

    def _write_vocabulary(self, doc, vocabulary):
        name = f"{_WORDS}/{doc['appends']:012d}-{doc['attempt']}.parquet"
        with (self.folder / name).open("wb") as fh:
            write_vocabulary(vocabulary, fh)
        doc["vocabulary"] = name

    def _commit(self, doc, generation):
        """Create manifest ``generation + 1`` exclusively, or raise :class:`LostRace`."""
        name = f"{_MANIFESTS}/{generation + 1:012d}.json"
        text = (manifest_text(doc) + "\n").encode("utf-8")
        try:
            with (self.folder / name).open("xb") as fh:
                fh.write(text)
        except FileExistsError:
            raise LostRace(f"{self.folder}: another append made {name} first") from None
        except Exception as err:  # noqa: BLE001 - whatever failed, the manifest decides
            made = self._attempt_of(name)
            if made == doc["attempt"]:
                return
            if made is not None:
                raise LostRace(f"{self.folder}: another append made {name} first") from None
            raise CommitUncertain(f"{self.folder}: {name} could not be made "
                                  f"({' '.join(str(err).split())}); nothing was added, run the "
                                  "append again") from err

    def _attempt_of(self, name):
        """The attempt that made manifest ``name``, or None where there is none."""
        try:
            return parse_manifest((self.folder / name).read_text(), self.folder, name).get("attempt")
        except (OSError, StoreDamaged):
            return None

    def _check_exclusive_create(self):
        """Refuse, in one line, a file system that lets a second exclusive create succeed."""
        if self._exclusive:
            return
        probe = self.folder / f".exclusive-{secrets.token_hex(8)}"
        try:
            with probe.open("xb") as fh:
                fh.write(b"1")
            with probe.open("xb") as fh:
                fh.write(b"2")
        except FileExistsError:
            self._exclusive = True
        except (ValueError, NotImplementedError, TypeError):
            pass  # the mode is not even known there
        finally:
            with contextlib.suppress(Exception):
                self.folder.fs.rm(probe.path)
        if not self._exclusive:
            raise ValueError(f"{self.folder}: {type(self.folder.fs).__name__} cannot create a file "
                             "exclusively (fsspec mode 'xb'), so appends could lose each other's "
                             "posts; use s3fs>=2025.7, gcsfs or adlfs, or a local or NFS folder")

    def _discard_attempt(self, doc, known):
        """Remove the parts and vocabulary of this attempt: those ``doc`` names
        (``known``), else any found under its name."""
        fs, root, mark = self.folder.fs, self.folder.path, f"-{doc['attempt']}"
        if known:
            names = [p for parts in doc["parts"].values() for p in parts if p.endswith(mark)]
            files = [f"{root}/{p}/{POSTS_FILE}" for p in names]
            if str(doc.get("vocabulary", "")).endswith(mark + ".parquet"):
                files.append(f"{root}/{doc['vocabulary']}")
        else:
            files = fs.glob(f"{root}/parts/*/*{mark}/{POSTS_FILE}") + \
                fs.glob(f"{root}/{_WORDS}/*{mark}.parquet")
        if files:
            fs.rm(files)


def collect_garbage(store, dry_run=False) -> list:
    """Remove the files of ``store`` (on object storage) no manifest will name.

    Those are the parts and vocabularies of appends that lost a race or died,
    of a generation whose manifest exists (made by another append: it
    never names them), and the vocabularies the latest manifest replaced
    (a reader of an older manifest reads the latest's, which starts alike).
    Files of a generation no manifest has yet are left: an append may be
    writing them.

    Returns
    -------
    list of str
        What was removed (or would be, with ``dry_run``), relative to the store.
    """
    doc = store.manifest()
    latest = doc["appends"]
    named = {p for parts in doc["parts"].values() for p in parts}
    fs, root = store.folder.fs, store.folder.path
    doomed = []
    for path in fs.find(f"{root}/parts"):
        name = path[len(root) + 1:].rsplit("/", 1)[0]
        found = _PART_NAME.fullmatch(name.rsplit("/", 1)[-1])
        if found and int(found.group(1)) <= latest and name not in named:
            doomed.append(path)
    for word_file in (store.folder / _WORDS).listing():
        found = _WORDS_NAME.fullmatch(word_file)
        name = f"{_WORDS}/{word_file}"
        if found and int(found.group(1)) <= latest and name != doc.get("vocabulary"):
            doomed.append(f"{root}/{name}")
    if doomed and not dry_run:
        fs.rm(doomed)
    return sorted(p[len(root) + 1:] for p in doomed)
