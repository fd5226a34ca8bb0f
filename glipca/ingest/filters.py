"""Posts left out on request: retweets and exact duplicates."""

from __future__ import annotations

import datetime as dt
import hashlib

__all__ = ["post_digest", "PostFilter"]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def post_digest(post) -> int:
    """64-bit digest of a post's time (to the microsecond) and text.

    The same in every process (unlike ``hash``), so that worker processes
    can compute it for duplicate detection.
    """
    us = (post.time - _EPOCH) // _MICROSECOND
    data = f"{us}\x00{post.text}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


class PostFilter:
    """Drops retweets and exact duplicates on request, counting them.

    Duplicates are posts with the same time and text (ids are ignored: the
    same post collected twice often gets a different generated id).  Only a
    64-bit digest of each post is kept (:func:`post_digest`), so memory grows
    by about 60 bytes per distinct post; two different posts are mistaken
    for duplicates with a probability of about n²/2⁶⁵ (10⁻⁷ for a million
    posts).
    """

    def __init__(self, drop_retweets, drop_duplicates):
        self.drop_retweets = bool(drop_retweets)
        self.seen = set() if drop_duplicates else None

    def __bool__(self):
        return self.drop_retweets or self.seen is not None

    def reason(self, post):
        """Why ``post`` is dropped, or None to keep it."""
        if self.drop_retweets and post.retweet:
            return "retweet"
        if self.seen is not None:
            h = post_digest(post)
            if h in self.seen:
                return "duplicate"
            self.seen.add(h)
        return None
