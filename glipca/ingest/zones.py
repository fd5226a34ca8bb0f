"""Time zones by name: the zone of naive timestamps and of period boundaries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["parse_tz", "tz_name"]

_UTC_NAMES = ("UTC", "Z")


def parse_tz(tz):
    """The tzinfo of a zone: ``"UTC"`` (any case) or ``"Z"``, a zoneinfo key, or a tzinfo.

    Raises
    ------
    ValueError
        For an unknown zone name.
    """
    if isinstance(tz, dt.tzinfo):
        return tz
    if str(tz).upper() in _UTC_NAMES:
        return dt.timezone.utc
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def tz_name(tz):
    """A valid zone's canonical name (UTC spellings become ``"UTC"``)."""
    zone = parse_tz(tz)
    if zone is dt.timezone.utc:
        return "UTC"
    key = getattr(zone, "key", None)
    if key is None:
        raise ValueError(f"tz must be a zone name such as 'UTC' or 'Asia/Tokyo', got {tz!r}")
    return key if isinstance(tz, dt.tzinfo) else str(tz)
