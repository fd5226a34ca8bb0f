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
    sep : str, optional
        Column separator of CSV/TSV files; default: told from each file.
    dayfirst : bool, optional
        Dates such as 01/03/2024 are day-first (True) or month-first
        (False); default: decided from each file's dates.
    time_format : str, optional
        strftime format of the time strings, e.g. ``"%d.%m.%Y %H:%M"``.
    """

    fmt: Optional[str] = None
    text_field: Optional[str] = None
    time_field: Optional[str] = None
    id_field: Optional[str] = None
    tz: Optional[str] = None
    on_error: str = "raise"
    drop_retweets: bool = False
    drop_duplicates: bool = False
    sep: Optional[str] = None
    dayfirst: Optional[bool] = None
    time_format: Optional[str] = None

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
        if self.sep is not None:
            sep = {"tab": "\t", "\\t": "\t"}.get(self.sep, self.sep)
            if not (isinstance(sep, str) and len(sep) == 1 and sep not in "\"\r\n"):
                raise ValueError(f"sep must be one character such as ',', ';', '|' or 'tab', "
                                 f"got {self.sep!r}")
            object.__setattr__(self, "sep", sep)
        if self.dayfirst is not None:
            object.__setattr__(self, "dayfirst", bool(self.dayfirst))
        if self.time_format is not None and "%" not in str(self.time_format):
            raise ValueError("time_format must be a strftime format such as '%d.%m.%Y %H:%M', "
                             f"got {self.time_format!r}")

    @property
    def fields(self) -> dict:
        """``{"text_field", "time_field", "id_field"}`` as given."""
        return {"text_field": self.text_field, "time_field": self.time_field, "id_field": self.id_field}

    def reader_kwargs(self, **overrides) -> dict:
        """Keyword arguments of :func:`glipca.ingest.read_posts` (``tz`` default UTC)."""
        kwargs = dict(self.fields, fmt=self.fmt, tz=self.tz or "UTC", on_error=self.on_error,
                      drop_retweets=self.drop_retweets, drop_duplicates=self.drop_duplicates,
                      sep=self.sep, dayfirst=self.dayfirst, time_format=self.time_format)
        kwargs.update(overrides)
        return kwargs
