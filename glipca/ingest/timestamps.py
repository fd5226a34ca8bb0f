"""Timestamps: ISO 8601, Twitter v1.1, RFC 2822, common tables, epoch numbers."""

from __future__ import annotations

import datetime as dt
import email.utils
import numbers
import re

from .zones import parse_tz as zone

__all__ = ["parse_time", "zone", "MIN_YEAR", "MAX_YEAR", "PLAUSIBLE_YEAR"]


#: Years a timestamp may have. Epoch zero (1970-01-01, a common default for
#: a missing time) is read, so that the analysis window can leave it out and
#: count it; a file whose *bulk* falls before :data:`PLAUSIBLE_YEAR` is
#: refused there (:func:`glipca.counting.window.analysis_window`).
MIN_YEAR, MAX_YEAR = 1970, 2100
#: Posts of social media start in the 1990s: a window of posts before this
#: year means times read wrongly (dates such as 20200301 given as numbers,
#: which read as epoch seconds in August 1970).
PLAUSIBLE_YEAR = 1990

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# Twitter v1.1: "Wed Oct 10 20:19:24 +0000 2018".
_V1_TIME = re.compile(
    r"[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})"
)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Tried after ISO 8601.  Dates with the day and month first in either
# order (01/03/2024, 01.03.2024) are read by _numeric_date, in the order
# decided for the whole file (glipca.ingest.dates).
_EXTRA_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S %Z",
)
#: Day and month before a four-digit year, with a slash, dot or dash, and
#: an optional time: 01/03/2024, 1.3.2024 14:05, 01-03-2024 14:05:09.
NUMERIC_DATE = re.compile(
    r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
#: What a timestamp may look like, for error messages.
EXPECTED = ("expected ISO 8601 such as 2024-03-01 14:05, DD/MM/YYYY or MM/DD/YYYY (the "
            "order decided from the file), DD.MM.YYYY, YYYY/MM/DD, Twitter or RFC 2822 "
            "times, or epoch seconds; or give a time format (strftime)")
_OFFSETS: dict = {}


def _fixed_offset(sign, hh, mm):
    key = (sign, hh, mm)
    tz = _OFFSETS.get(key)
    if tz is None:
        delta = dt.timedelta(hours=int(hh), minutes=int(mm))
        tz = _OFFSETS[key] = dt.timezone(-delta if sign == "-" else delta)
    return tz


def _from_epoch(value, raw=None):
    """Epoch seconds, milliseconds or microseconds (by magnitude); ``raw`` is shown in errors."""
    try:
        v = float(value)
    except OverflowError:  # an int past the float range: past any date too
        v = float("inf")
    if v != v:
        raise ValueError("timestamp is NaN")
    # Pick the unit from the magnitude: epoch seconds for 1990-2100 have at
    # most 10 digits, milliseconds 13, microseconds 16.
    a = abs(v)
    if a >= 1e17:
        v /= 1e9
    elif a >= 1e14:
        v /= 1e6
    elif a >= 1e11:
        v /= 1e3
    try:
        return dt.datetime.fromtimestamp(v, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch value {_show(value if raw is None else raw)} is out of range") from None


def _numeric_date(s, dayfirst):
    """A day-and-month-first date in the given order; None when ``s`` is not one.

    Without an order (``dayfirst`` None), only a date that tells it (a
    field above 12) is read; others are ambiguous.
    """
    m = NUMERIC_DATE.fullmatch(s)
    if m is None:
        return None
    a, b = int(m.group(1)), int(m.group(3))
    if a > 12 and b > 12:
        raise ValueError(f"unparseable timestamp {_show(s)} ({EXPECTED})")
    if dayfirst is None:
        if a > 12 >= b:
            dayfirst = True
        elif b > 12 >= a:
            dayfirst = False
        elif a <= 12 and b <= 12:
            raise ValueError(f"ambiguous date {_show(s)}: day or month first? give the order "
                             "(dayfirst) or a time format (strftime)")
    day, month = (a, b) if dayfirst else (b, a)
    order = "DD{0}MM{0}YYYY" if dayfirst else "MM{0}DD{0}YYYY"
    try:
        return dt.datetime(int(m.group(4)), month, day, int(m.group(5) or 0),
                           int(m.group(6) or 0), int(m.group(7) or 0))
    except ValueError:
        raise ValueError(f"unparseable timestamp {_show(s)} (expected "
                         f"{order.format(m.group(2))} [HH:MM[:SS]], as the file's other "
                         "dates)") from None


def _parse_string_time(s, dayfirst=None):
    if len(s) >= 10 and s[4] == "-" and s[:4].isdigit():
        # ISO 8601, the common case, without the number test below.
        try:
            return dt.datetime.fromisoformat(s)
        except ValueError:
            pass
    if s[0].isdigit() or s[0] in "+-":
        if _NUMBER.fullmatch(s) and not (len(s) == 8 and s.isdigit()):
            # Digit strings are epoch times, except 8 digits, which can only
            # be a basic ISO date (YYYYMMDD) in the accepted range.
            # (float for long ones: int() refuses more than 4300 digits)
            return _from_epoch(int(s) if s.isdigit() and len(s) < 20 else float(s), s)
        try:
            return dt.datetime.fromisoformat(s)
        except ValueError:
            pass
    else:
        m = _V1_TIME.fullmatch(s)
        if m is not None:
            mon = _MONTHS.get(m.group(1).lower())
            if mon is not None:
                return dt.datetime(
                    int(m.group(9)), mon, int(m.group(2)),
                    int(m.group(3)), int(m.group(4)), int(m.group(5)),
                    tzinfo=_fixed_offset(m.group(6), m.group(7), m.group(8)),
                )
        try:
            # RFC 2822, as in e-mail and RSS: "Wed, 10 Oct 2018 20:19:24 +0000".
            return email.utils.parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            pass
    if s[0].isdigit():
        t = _numeric_date(s, dayfirst)
        if t is not None:
            return t
    for fmt in _EXTRA_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    raise ValueError(f"unparseable timestamp {_show(s)} ({EXPECTED})")


def _formatted(s, time_format):
    """``s`` read with a strftime format."""
    try:
        return dt.datetime.strptime(s, time_format)
    except ValueError:
        raise ValueError(f"timestamp {_show(s)} does not match the time format "
                         f"{time_format!r}") from None


def parse_time(value, tz=dt.timezone.utc, *, dayfirst=None, time_format=None) -> dt.datetime:
    """Parse one timestamp into an aware datetime.

    Parameters
    ----------
    value : str, int, float or datetime
        ISO 8601 (with or without offset or ``Z``; date-only allowed),
        Twitter v1.1 (``Wed Oct 10 20:19:24 +0000 2018``), RFC 2822,
        ``YYYY-MM-DD HH:MM:SS``, ``YYYY/MM/DD``, ``DD/MM/YYYY`` or
        ``MM/DD/YYYY`` (see ``dayfirst``; also with dots or dashes), or epoch
        seconds, milliseconds or microseconds as a number or digit string.
    tz : tzinfo
        Zone for naive times.
    dayfirst : bool, optional
        Order of dates written day and month first (01/03/2024,
        01.03.2024): True for day first, False for month first; None reads
        only those with a field above 12 and refuses the others as
        ambiguous.
    time_format : str, optional
        A :func:`datetime.datetime.strptime` format that strings must match.

    Returns
    -------
    datetime.datetime
        Aware; an explicit offset in the input is kept.

    Raises
    ------
    ValueError
        If the value cannot be parsed or its year is outside 1970-2100.
    """
    if type(value) is str:  # the common case first
        s = value.strip()
        if not s:
            raise ValueError("empty timestamp")
        t = _formatted(s, time_format) if time_format else _parse_string_time(s, dayfirst)
    elif isinstance(value, dt.datetime):
        t = value
        if type(t).__name__ == "Timestamp":  # pandas, without importing it
            t = t.to_pydatetime()
    elif isinstance(value, dt.date):
        t = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, bool):
        raise ValueError(f"unparseable timestamp {value!r}")
    elif isinstance(value, numbers.Real):
        t = _from_epoch(value)
    elif isinstance(value, str):
        s = value.strip()
        if not s:
            raise ValueError("empty timestamp")
        t = _formatted(s, time_format) if time_format else _parse_string_time(s, dayfirst)
    else:
        raise ValueError(f"unparseable timestamp of type {type(value).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        t = t.replace(tzinfo=tz)
    if not MIN_YEAR <= t.year <= MAX_YEAR:
        raise ValueError(
            f"timestamp {_show(value)} is out of range "
            f"(year {t.year}; expected {MIN_YEAR}-{MAX_YEAR})"
        )
    return t


def _show(value, limit=60):
    try:
        s = str(value)
    except ValueError:  # an int too long to print
        return "a number of more than 4300 digits"
    if len(s) > limit:
        s = s[:limit] + "..."
    return repr(s)
