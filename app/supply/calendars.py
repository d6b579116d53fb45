"""Business days, cutoffs and dispatch times, in the local time of the place they belong to.

A calendar is the set of working weekdays minus public holidays (the `holidays` package, by country and
optional subdivision). Calendars are shared per (weekdays, country, subdivision) and keep a sorted list of
business-day ordinals, so "add N business days" is a binary search instead of a day-by-day walk.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

ALL_WEEKDAYS = frozenset(range(7))
DEFAULT_WEEKEND = frozenset({5, 6})
# How far ahead a calendar materialises business days at once; a promise rarely looks beyond a few weeks.
_YEARS_PER_EXTENSION = 2


@lru_cache(maxsize=4096)
def holiday_dates(country: str | None, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays; an unsupported subdivision falls back to the country, an unsupported country to none."""
    if not country:
        return frozenset()
    for subdiv in ((subdivision, None) if subdivision else (None,)):
        try:
            return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())
        except NotImplementedError:
            continue
    return frozenset()


@cache
def weekend_of(country: str | None) -> frozenset[int]:
    """The country's weekend (Friday/Saturday in some), Saturday/Sunday when the package does not know."""
    if not country:
        return DEFAULT_WEEKEND
    try:
        return frozenset(holidays.country_holidays(country).weekend)
    except NotImplementedError:
        return DEFAULT_WEEKEND


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class BusinessCalendar:
    def __init__(self, weekdays: frozenset[int], country: str | None, subdivision: str | None) -> None:
        if not weekdays:
            raise ValueError("a calendar needs at least one working weekday")
        self.weekdays = weekdays
        self.country = country
        self.subdivision = subdivision
        self._first_year = 0
        self._last_year = -1
        self._days: list[int] = []

    def _ensure(self, year: int) -> None:
        if self._first_year <= year <= self._last_year:
            return
        first = min(year, self._first_year) if self._days else year
        last = max(year + _YEARS_PER_EXTENSION - 1, self._last_year)
        days: list[int] = []
        for y in range(first, last + 1):
            off = holiday_dates(self.country, self.subdivision, y)
            day = date(y, 1, 1)
            while day.year == y:
                if day.weekday() in self.weekdays and day not in off:
                    days.append(day.toordinal())
                day += timedelta(days=1)
        # Assign the finished list in one step so a concurrent reader never sees a half-built one.
        self._days, self._first_year, self._last_year = days, first, last

    def is_business_day(self, day: date) -> bool:
        self._ensure(day.year)
        ordinal = day.toordinal()
        i = bisect_left(self._days, ordinal)
        return i < len(self._days) and self._days[i] == ordinal

    def on_or_after(self, day: date) -> date:
        """The first business day at or after `day`."""
        return self.add(day - timedelta(days=1), 1)

    def add(self, day: date, n: int) -> date:
        """The n-th business day after `day` (the day itself never counts); n == 0 returns `day`."""
        if n <= 0:
            return day
        self._ensure(day.year)
        i = bisect_right(self._days, day.toordinal()) + n - 1
        while i >= len(self._days):
            self._ensure(self._last_year + 1)
            i = bisect_right(self._days, day.toordinal()) + n - 1
        return date.fromordinal(self._days[i])

    def count_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (how transit samples are measured)."""
        self._ensure(start.year)
        self._ensure(end.year)
        return max(0, bisect_right(self._days, end.toordinal()) - bisect_right(self._days, start.toordinal()))


@lru_cache(maxsize=1024)
def calendar(weekdays: frozenset[int], country: str | None, subdivision: str | None) -> BusinessCalendar:
    return BusinessCalendar(weekdays, country, subdivision)


def destination_calendar(country: str | None, region: str | None) -> BusinessCalendar:
    """Carriers deliver on the destination country's working days; regional holidays count where known."""
    return calendar(ALL_WEEKDAYS - weekend_of(country), country, region)


@dataclass(frozen=True, slots=True)
class Dispatch:
    at: datetime  # UTC instant the parcel leaves the warehouse (its cutoff/pickup time on the dispatch day)
    day: date  # dispatch day in the warehouse's calendar
    next_cutoff: datetime  # UTC instant of the next cutoff that still counts for an order placed now
    countdown: timedelta  # real elapsed time until then (daylight-saving changes included)


def local_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on a day as a UTC instant; a time inside a spring-forward gap moves an hour later."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def next_cutoff(now: datetime, tz: ZoneInfo, cutoff: time, cal: BusinessCalendar) -> tuple[date, datetime]:
    """The working day whose handling an order placed `now` joins, and that day's cutoff instant (UTC)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(tz)
    today = local.date()
    if cal.is_business_day(today):
        cutoff_today = local_at(today, cutoff, tz)
        if now < cutoff_today:
            return today, cutoff_today
    day = cal.add(today, 1)
    return day, local_at(day, cutoff, tz)


def dispatch(now: datetime, tz: ZoneInfo, cutoff: time, cal: BusinessCalendar, handling_days: int,
             ready_on: date | None = None) -> Dispatch:
    """When a parcel leaves: handling starts on the order's working day (or once stock is ready on
    `ready_on`, a restock date in the warehouse's calendar) and ends `handling_days` business days later,
    at that day's cutoff, when the carrier collects."""
    start, cutoff_at = next_cutoff(now, tz, cutoff, cal)
    if ready_on is not None and ready_on > start:
        start = cal.on_or_after(ready_on)
    day = cal.add(start, handling_days)
    return Dispatch(local_at(day, cutoff, tz), day, cutoff_at, cutoff_at - now)
