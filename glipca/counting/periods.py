"""Calendar periods: an aware datetime to an integer period key, and back.

Light on purpose (pandas is imported only to build an index), since worker
processes that tokenise import it too.
"""

from __future__ import annotations

import datetime as dt
import re

from ..ingest.zones import parse_tz as zone

__all__ = ["Periods", "period_label", "parse_span", "zone", "MAX_PERIODS"]

#: Most periods a grid may hold (about 19 years of minutes): each costs a
#: few arrays of 8 bytes in counting and more in the analysis, and a few
#: posts with wild timestamps at a fine period would otherwise make a grid
#: of billions of periods (seconds from 2001 to 2041) before the analysis
#: window could leave them out.
MAX_PERIODS = 10_000_000

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_FREQ = re.compile(r"\s*(\d*)\s*([A-Za-z]+)(?:-([A-Za-z]{3}))?\s*")
_SECONDS = {"h": 3600, "H": 3600, "min": 60, "T": 60, "s": 1, "S": 1}


class Periods:
    """Calendar periods of a frequency string, in local wall-clock time.

    Supported: ``"D"`` and multiples (``"2D"``), hours, minutes and seconds
    (``"12h"``, ``"30min"``, ``"10s"``), weeks (``"W"``, ``"W-MON"``; like
    pandas, ``W-XXX`` weeks end on XXX, so ``"W"`` weeks start on Monday),
    and months (``"MS"``, ``"M"``, ``"ME"``: all labelled by their first
    day).  Multi-day, sub-day and multi-month periods are aligned on
    1970-01-01 00:00 local time.
    """

    def __init__(self, freq, zone):
        m = _FREQ.fullmatch(str(freq))
        if m is None:
            raise ValueError(f"unsupported freq {freq!r}")
        n = int(m.group(1) or 1)
        unit, anchor = m.group(2), m.group(3)
        if n < 1:
            raise ValueError(f"freq must be positive, got {freq!r}")
        self.zone, self.n, self.freq = zone, n, str(freq).strip()
        if unit in ("D", "d") and anchor is None:
            self.kind = "day"
        elif unit in _SECONDS and anchor is None:
            self.kind, self.step = "seconds", n * _SECONDS[unit]
        elif unit == "W" and n == 1:
            end = (anchor or "SUN").upper()
            if end not in _WEEKDAYS:
                raise ValueError(f"unsupported freq {freq!r}")
            self.kind = "week"
            # The ordinal of some week start: day 1 (0001-01-01) is a Monday.
            self.start_ordinal = 1 + (_WEEKDAYS.index(end) + 1) % 7
        elif unit in ("M", "MS", "ME") and anchor is None:
            self.kind = "month"
        else:
            raise ValueError(
                f"unsupported freq {freq!r}; use e.g. 'D', '2D', '12h', '30min', 'W', 'W-MON' or 'MS'"
            )

    def key(self, t):
        """Integer key of the period holding aware datetime ``t``."""
        local = t.astimezone(self.zone)
        kind = self.kind
        if kind == "day":
            if self.n == 1:
                return local.toordinal()
            return (local.toordinal() - _EPOCH_ORDINAL) // self.n
        if kind == "seconds":
            secs = (local.toordinal() - _EPOCH_ORDINAL) * 86400 + local.hour * 3600 + local.minute * 60 + local.second
            return secs // self.step
        if kind == "week":
            return (local.toordinal() - self.start_ordinal) // 7
        return (local.year * 12 + local.month - 1) // self.n

    def start(self, k):
        """Naive local start of the period with key ``k``."""
        kind = self.kind
        if kind == "day":
            day = k if self.n == 1 else k * self.n + _EPOCH_ORDINAL
            return dt.datetime.fromordinal(day)
        if kind == "seconds":
            return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=k * self.step)
        if kind == "week":
            return dt.datetime.fromordinal(k * 7 + self.start_ordinal)
        year, month0 = divmod(k * self.n, 12)
        return dt.datetime(year, month0 + 1, 1)

    def index(self, lo, hi):
        """DatetimeIndex of the starts of periods ``lo``..``hi``.

        Raises a one-line ``ValueError`` naming ``--freq`` for more than
        :data:`MAX_PERIODS` periods.
        """
        import numpy as np
        import pandas as pd

        if hi - lo + 1 > MAX_PERIODS:
            raise ValueError(
                f"the posts span {hi - lo + 1:,} periods at freq {self.freq} "
                f"({period_label(self.start(lo))} to {period_label(self.start(hi))}), more than "
                f"the {MAX_PERIODS:,} a count may hold: use a coarser `freq`, or leave out the "
                "posts far from the rest")
        keys = np.arange(lo, hi + 1, dtype=np.int64)
        # Seconds since 1970-01-01 of each naive local start (as start()).
        if self.kind == "day":
            days = keys - _EPOCH_ORDINAL if self.n == 1 else keys * self.n
            seconds = days * 86400
        elif self.kind == "seconds":
            seconds = keys * self.step
        elif self.kind == "week":
            seconds = (keys * 7 + self.start_ordinal - _EPOCH_ORDINAL) * 86400
        else:  # months are few
            seconds = None
        if seconds is None:
            naive = pd.DatetimeIndex([self.start(k) for k in range(lo, hi + 1)])
        else:
            # In the unit pandas gives datetimes, so that the index is the same.
            unit = pd.DatetimeIndex([self.start(lo)]).unit
            naive = pd.DatetimeIndex(seconds.astype("datetime64[s]")).as_unit(unit)
        # A wall-clock start can fall in a DST gap or overlap; take the
        # first valid instant rather than failing.
        index = naive.tz_localize(
            self.zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
        )
        if self.kind == "day" and len(index):
            # Calendar days conform to pandas' "D" even across DST; setting
            # it lets downstream code shift and resample.
            try:
                index.freq = f"{self.n}D"
            except ValueError:  # a midnight lost to a DST gap
                pass
        return index


def period_label(t):
    """A period start as text: ``2020-03-11`` for a midnight, ISO 8601 otherwise.

    The one spelling of periods in every output (``clusters.json``, tables,
    the report), so that a period reads the same everywhere.
    """
    import pandas as pd

    t = pd.Timestamp(t)
    return t.strftime("%Y-%m-%d") if t == t.normalize() else t.isoformat()


def parse_span(value) -> dt.timedelta:
    """A ``--last`` value (``60D``, ``8W``, ``36h``) as a timedelta; one-line
    ``ValueError`` naming the option otherwise."""
    text = str(value).strip()
    unit = {"D": "days", "W": "weeks", "h": "hours"}.get(text[-1:])
    if unit is None or not text[:-1].isdigit() or int(text[:-1]) < 1:
        raise ValueError(f"last: expected a number of days, weeks or hours such as 60D, 8W or "
                         f"36h, got {value!r}")
    return dt.timedelta(**{unit: int(text[:-1])})
