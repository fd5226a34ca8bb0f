"""The order of a file's dates: day first (01/03/2024 is 1 March) or month first.

A date written with the day and month before the year cannot tell its own
order unless a field is above 12.  One such date settles the order for the
whole file; a file whose every date could be either is refused, asking for
the order or a format, rather than read one way by guess.
"""

from __future__ import annotations

import itertools

from .records import InputError
from .timestamps import NUMERIC_DATE

__all__ = ["date_order", "format_of"]

#: Values looked at before deciding that a file's times are not written
#: day and month first (ISO 8601, epoch numbers...): no need to read on.
LOOK_AHEAD = 50


def format_of(example):
    """A strftime format for a day-first date written like ``example``."""
    m = NUMERIC_DATE.fullmatch(example)
    sep = m.group(2)
    fmt = f"%d{sep}%m{sep}%Y"
    if m.group(5):
        fmt += " %H:%M" + (":%S" if m.group(7) else "")
    return fmt


def date_order(values, source, field):
    """Whether a file's dates are day-first: True, False, or None when none
    is written day and month first.

    Parameters
    ----------
    values : iterable
        The file's time values, in order; read only until the order is
        known.
    source, field : str
        The file and the time field, for the error.

    Raises
    ------
    InputError
        When every such date could be either (no field above 12), or when
        one puts the day first and another the month.
    """
    values = iter(values)
    head = list(itertools.islice(values, LOOK_AHEAD))
    if not any(_fields(v) for v in head):
        return None
    seen, example = 0, None
    for v in itertools.chain(head, values):
        fields = _fields(v)
        if fields is None or min(fields) > 12:  # not a date: the reader says so
            continue
        a, b = fields
        if a > 12:
            return True
        if b > 12:
            return False
        seen += 1
        example = example or v.strip()
    if not seen:
        return None
    fmt = format_of(example)
    raise InputError(
        source, 0, field,
        f"every date is ambiguous ({seen} like {example!r}: day or month first?); give "
        f"`dayfirst=True` or `dayfirst=False`, or `time_format={fmt!r}` (strftime)", "ambiguous_date")


def _fields(value):
    if not isinstance(value, str):
        return None
    m = NUMERIC_DATE.fullmatch(value.strip())
    return None if m is None else (int(m.group(1)), int(m.group(3)))
