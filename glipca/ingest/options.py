"""How posts are read, declared once: :class:`ReadOptions`.

A frozen dataclass, validated when made, so that a bad value fails before
any work with a message naming the option. It pickles as a plain value, so
the same object reaches worker processes and Dask tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .reader import check_options
from .zones import tz_name

__all__ = ["ReadOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """How posts are read.

    Parameters
    ----------
    fmt : {"jsonl", "json", "csv", "tsv"}, optional
        Input format; default from the file name or content.
    text_field, time_field, id_field : str, optional
        Field (or column) names; guessed when omitted.
    tz : str, optional
        Zone of naive timestamps and of period boundaries; None until the
        language is known (:meth:`glipca.counting.CountOptions.resolved`).
    on_error : {"raise", "skip"}, default "raise"
        Stop at the first bad record, or skip and count bad records.
    drop_retweets, drop_duplicates : bool, default False
        Leave out retweets, and posts with the time and text of an earlier one.
    """

    fmt: Optional[str] = None
    text_field: Optional[str] = None
    time_field: Optional[str] = None
    id_field: Optional[str] = None
    tz: Optional[str] = None
    on_error: str = "raise"
    drop_retweets: bool = False
    drop_duplicates: bool = False

    def __post_init__(self):
        check_options(self.fmt, self.on_error, "UTC")
        for name in ("text_field", "time_field", "id_field"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, str) and value):
                raise ValueError(f"{name} must be a non-empty string or None, got {value!r}")
        if self.tz is not None:
            object.__setattr__(self, "tz", tz_name(self.tz))
        object.__setattr__(self, "drop_retweets", bool(self.drop_retweets))
        object.__setattr__(self, "drop_duplicates", bool(self.drop_duplicates))

    @property
    def fields(self) -> dict:
        """``{"text_field", "time_field", "id_field"}`` as given."""
        return {"text_field": self.text_field, "time_field": self.time_field, "id_field": self.id_field}

    def reader_kwargs(self, **overrides) -> dict:
        """Keyword arguments of :func:`glipca.ingest.read_posts` (``tz`` default UTC)."""
        kwargs = dict(self.fields, fmt=self.fmt, tz=self.tz or "UTC", on_error=self.on_error,
                      drop_retweets=self.drop_retweets, drop_duplicates=self.drop_duplicates)
        kwargs.update(overrides)
        return kwargs
