"""Check a count store against its manifest, and describe it.

:func:`verify_store` re-reads every file the manifest names: each part's
size, checksum, posts, period and ids, the vocabulary, and the manifest's
own checksum and sums.  :func:`store_info` says what the store holds.
"""

from __future__ import annotations

import json

from .integrity import StoreDamaged, file_sha256, words_sha256
from .postwords import POSTS_FILE, open_posts
from .store import CountStore

__all__ = ["verify_store", "store_info", "unlisted_parts"]


def verify_store(folder) -> list:
    """Every problem of the store ``folder``, one line each (empty when sound).

    Problems are: a manifest that does not read or does not match its
    checksum; a vocabulary other than the manifest's; a part missing,
    unreadable, of another size or checksum, holding other posts, periods
    or words than the manifest says, or repeating an id of its period; and
    posts per period that do not add up.
    """
    store = CountStore(folder)
    name = _manifest_name(store)
    if name is None:
        return [f"{store.folder}: not a count store (no manifest)"]
    try:
        doc = json.loads((store.folder / name).read_text(encoding="utf-8"))
    except ValueError:
        return [f"{name} is not valid JSON"]
    if not isinstance(doc, dict):
        return [f"{name} is not a manifest"]
    problems = []
    try:
        store.manifest()
    except StoreDamaged as err:
        problems.append(err.what)  # the rest is checked against the manifest as it reads
    except ValueError as err:  # another format
        return [str(err)]
    problems += _check_vocabulary(store, doc)
    checks = doc.get("checks", {})
    posts = doc.get("posts", {})
    label = _period_labels(doc)
    for key, parts in sorted(doc.get("parts", {}).items(), key=lambda kv: int(kv[0])):
        seen, total = set(), 0
        for name in parts:
            found, n = _check_part(store, doc, name, int(key), checks.get(name), seen)
            problems += found
            total += n
        if key in posts and posts[key] != total:
            problems.append(f"period {label(key)}: the manifest says {posts[key]} posts, "
                            f"its parts hold {total}")
    for key in sorted(set(posts) - set(doc.get("parts", {}))):
        problems.append(f"period {label(key)}: the manifest counts {posts[key]} posts but lists "
                        "no part")
    listed = {p for parts in doc.get("parts", {}).values() for p in parts}
    for name in sorted(set(checks) - listed):
        problems.append(f"part {name}: checksum recorded, but no period lists it")
    return problems


def _manifest_name(store):
    """The latest manifest's name in ``store``, or None for a folder without one."""
    if not store.on_object_storage:  # one manifest, replaced
        return "store.json" if (store.folder / "store.json").is_file() else None
    found = store.generation()
    return f"manifests/{found:012d}.json" if found else None


def _period_labels(doc):
    """``label(key)``: a period key and the start it stands for, as far as the
    manifest's options tell."""
    from .periods import Periods, zone

    try:
        periods = Periods(doc["params"]["freq"], zone(doc["params"]["tz"]))
    except Exception:  # noqa: BLE001 - a damaged manifest still gets its keys named
        return str

    def label(key):
        try:
            return f"{key} ({_label(periods.index(int(key), int(key))[0])})"
        except Exception:  # noqa: BLE001
            return str(key)
    return label


def _check_vocabulary(store, doc):
    name = doc.get("vocabulary", "words.parquet")
    try:
        words = store._words_of(doc) if "vocabulary" in doc else store.words()
    except (OSError, KeyError) as err:
        return [f"{name} cannot be read ({err})"]
    n = doc.get("words", 0)
    if len(words) < n:
        return [f"{name} holds {len(words)} words, the manifest says {n}"]
    if "words_sha256" in doc and words_sha256(words[:n]) != doc["words_sha256"]:
        return [f"{name} is not the vocabulary of the manifest (checksum differs)"]
    return []


def _check_part(store, doc, name, key, check, seen):
    """Problems of one part, and the posts it holds."""
    path = store.folder / name / POSTS_FILE
    # A part found damaged counts the posts the manifest gives it, so that
    # its period's sum does not report the same damage twice.
    expected = check["posts"] if check is not None else 0
    if not path.is_file():
        return [f"part {name}: missing"], expected
    if check is not None:
        size = path.stat().st_size
        if size != check["bytes"]:
            return [f"part {name}: {size} bytes, the manifest says {check['bytes']}"], expected
        if file_sha256(path) != check["sha256"]:
            return [f"part {name}: does not match its checksum"], expected
    problems = []
    try:
        with open_posts(path) as pf:
            table = pf.read(columns=["period", "id", "words"], use_threads=False)
    except Exception as err:  # noqa: BLE001 - any failure to read is the finding
        return [f"part {name}: cannot be read ({' '.join(str(err).split())})"], expected
    n = table.num_rows
    if check is not None and n != check["posts"]:
        problems.append(f"part {name}: holds {n} posts, the manifest says {check['posts']}")
    periods = set(table.column("period").to_pylist())
    if periods - {key}:
        problems.append(f"part {name}: holds posts of period(s) {sorted(periods - {key})[:3]}, "
                        f"listed under {key}")
    ids = table.column("id").to_pylist()
    repeated = len(ids) - len(set(ids)) + len(seen.intersection(ids))
    if repeated:
        problems.append(f"part {name}: {repeated} post id(s) repeated within period {key}")
    seen.update(ids)
    flat = table.column("words").combine_chunks().flatten()
    if len(flat) and max(flat.to_numpy()) >= doc.get("words", 0):
        problems.append(f"part {name}: uses words the manifest does not list")
    return problems, n


def unlisted_parts(folder) -> list:
    """Part folders no manifest lists: left by an append that did not finish
    (the next append removes them), or being written by one now."""
    store = CountStore(folder)
    if store.on_object_storage:  # those no manifest will name
        from .objectstore import collect_garbage

        return collect_garbage(store, dry_run=True)
    doc = store.manifest()
    listed = {p for parts in doc["parts"].values() for p in parts}
    return sorted(p.relative_to(store.folder).as_posix() for p in (store.folder / "parts").glob("*/*")
                  if p.relative_to(store.folder).as_posix() not in listed)


def store_info(folder) -> dict:
    """What the store ``folder`` holds: inputs, periods, posts, words, size."""
    from .periods import Periods, zone

    store = CountStore(folder)
    doc = store.manifest()
    if doc["params"] is None:
        raise ValueError(f"{store.folder}: empty store")
    params = doc["params"]
    posts = {int(k): n for k, n in store._posts(doc).items()}
    periods = Periods(params["freq"], zone(params["tz"]))
    lo, hi = min(posts), max(posts)
    own = [_manifest_name(store), doc.get("vocabulary", "words.parquet")]
    files = [*(store.folder / f for f in own),
             *(store.folder / p / POSTS_FILE for parts in doc["parts"].values() for p in parts)]
    return {
        "folder": str(store.folder),
        "inputs": [c[0] for c in doc["inputs"]],
        "appends": doc["appends"],
        "lang": params["lang"], "freq": params["freq"], "tz": params["tz"],
        "periods": {"first": _label(periods.index(lo, lo)[0]), "last": _label(periods.index(hi, hi)[0]),
                    "with_posts": sum(1 for n in posts.values() if n),
                    "span": hi - lo + 1},
        "parts": sum(len(p) for p in doc["parts"].values()),
        "posts": int(sum(posts.values())),
        "words": doc["words"],
        "bytes": sum(f.stat().st_size for f in files if f.is_file()),
        "checksums": "checks" in doc,
    }


def _label(start):
    """A period's start: its day when it starts at midnight."""
    return str(start.date()) if start == start.normalize() else start.isoformat(timespec="minutes")
