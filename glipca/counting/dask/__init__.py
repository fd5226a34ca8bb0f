"""Count words per period on a Dask cluster, with the local path's result.

:func:`count_on_dask` does what :func:`glipca.counting.prepare.prepare_counts` does
(read posts, tokenise, count per period) for dumps too big for one machine,
and returns the same :class:`~glipca.counting.prepare.PreparedCounts`, cell for cell.

How the work is split
---------------------
* **Tasks.**  Plain JSON lines files are cut into byte ranges of about
  ``blocksize`` bytes; a range holds the lines that *start* in it, so every
  line belongs to exactly one task.  Other files (gzip'd, JSON, CSV, TSV,
  or anything odd such as UTF-16) cannot be cut and are one task each.
* **Same code.**  A task parses its lines with the ingest module's own
  :class:`~glipca.ingest.LineBatch` (or, for a whole file,
  :func:`~glipca.ingest.read_batches`) and counts them with
  :func:`~glipca.counting.counts.count_words`, exactly as ``glipca count`` does.  The
  client settles each file's field names from its first lines, as the local
  reader does, and hands them to the file's ranges.  Every worker builds its
  tokeniser once, from its options: a tokeniser (a MeCab tagger) is never
  pickled.
* **Reduce by word.**  A task splits its counts into ``n_buckets`` buckets
  by a stable hash of the word.  Each bucket is merged over all tasks by a
  tree of merges on the workers and pruned there (``min_count``,
  ``min_periods``): a word's counts are all in one bucket, so pruning a
  bucket is pruning the whole.  Posts per period and the ingest report are
  merged the same way.  The client receives only the merged, pruned
  counts: never posts, tokens or per-task results.

Line numbers in error messages are absolute: a range task numbers its lines
locally and reports how many it read, and the client shifts the numbers of
the (few) errors it receives.

Duplicates (``drop_duplicates``): each task also returns the 64-bit
digests of its posts, split by value into buckets; one task per bucket finds
the digests seen more than once and the task of each one's first
occurrence; that task reads its input again and subtracts the later copies
(a copy has the same time and text, so the same period and words).  Only
tasks holding repeated posts are read twice.

Data frames are not supported here (:class:`ValueError`): they are in the
client's memory already.

Modules: :mod:`.planning` (tasks, on the client), :mod:`.tasks` (counting a
task, on a worker), :mod:`.reduce` (merging and pruning on the workers,
assembling on the client) and :mod:`.driver` (the run).
"""

from .driver import count_on_dask
from .append import append_on_dask
from .planning import DEFAULT_BLOCKSIZE, CountTask, plan_tasks

__all__ = ["count_on_dask", "append_on_dask", "plan_tasks", "CountTask", "DEFAULT_BLOCKSIZE"]
