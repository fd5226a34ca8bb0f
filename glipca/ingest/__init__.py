"""Read posts from JSON, JSON lines, CSV and TSV files.

This module knows about file formats, field names and timestamps, and nothing
about words.  Every reader streams: memory does not grow with the size of the
input, only with the size of the largest single record.

Supported layouts
-----------------
* JSON lines (``.jsonl``, ``.ndjson``): one object per line.  A line holding
  a Twitter API v2 response (``{"data": [...], ...}``) or an array yields each
  element in turn.
* JSON (``.json``): an array of objects, a v2 envelope ``{"data": [...]}``,
  one object per line, or several concatenated objects.
* CSV (``.csv``) and TSV (``.tsv``) with a header row.

Each may be gzip-compressed (recognised by its magic bytes, not its name).
An unknown extension is sniffed from the content.  A directory stands for the
files it directly contains with one of these extensions, in sorted order.

Modules: :mod:`.records` (post, error and report types), :mod:`.timestamps`,
:mod:`.fields` (field guessing), :mod:`.files` (inputs, gzip, sniffing), one
module per format (:mod:`.jsonl`, :mod:`.json_stream`, :mod:`.delimited`),
:mod:`.filters` (retweets, duplicates) and :mod:`.reader` (the entry points).

Field names are recognised for Twitter v1.1 (``created_at`` like
``Wed Oct 10 20:19:24 +0000 2018``, ``full_text``, ``extended_tweet``,
``id_str``), Twitter v2 (``created_at`` in ISO 8601, ``text``, ``id``) and
plain tables (``date``, ``timestamp``, ``tweet``, ``content``, ...), matched
case-insensitively.  Dotted names such as ``user.name`` select nested fields.
"""

from .filters import post_digest
from .options import ReadOptions
from .files import input_files
from .reader import LineBatch, posts_from_frame, read_batches, read_posts
from .records import IngestReport, InputError, Post
from .timestamps import parse_time
from .zones import parse_tz

__all__ = [
    "ReadOptions",
    "Post",
    "InputError",
    "IngestReport",
    "read_posts",
    "posts_from_frame",
    "parse_time",
    "input_files",
    "read_batches",
    "LineBatch",
    "post_digest",
    "parse_tz",
]
