"""Business days, cutoffs and dispatch in the warehouse's own timezone; every date below is worked by hand."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.supply.calendars import ALL_WEEKDAYS, calendar, destination_calendar, dispatch, local_at, next_cutoff, zone
from app.supply.types import WEEKDAYS_MON_FRI

PARIS = zone("Europe/Paris")
NEW_YORK = zone("America/New_York")
FR = calendar(WEEKDAYS_MON_FRI, "FR", None)
US_NY = calendar(WEEKDAYS_MON_FRI, "US", "NY")
TWO_PM = time(14, 0)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_one_minute_before_the_cutoff_handling_starts_today():
    # Tue 10 June 2025, 13:59 in Paris (UTC+2) = 11:59 UTC; same-day handling ships at 14:00 local = 12:00 UTC.
    sent = dispatch(utc(2025, 6, 10, 11, 59), PARIS, TWO_PM, FR, handling_days=0)
    assert sent.day == date(2025, 6, 10)
    assert sent.at == utc(2025, 6, 10, 12, 0)
    assert sent.countdown == timedelta(minutes=1)


def test_one_minute_after_the_cutoff_handling_starts_next_working_day():
    # 14:01 Tuesday is too late: Wednesday 11 June's cutoff is 23 h 59 min away.
    sent = dispatch(utc(2025, 6, 10, 12, 1), PARIS, TWO_PM, FR, handling_days=0)
    assert sent.day == date(2025, 6, 11)
    assert sent.countdown == timedelta(hours=23, minutes=59)
    # Exactly at the cutoff counts as after it.
    assert dispatch(utc(2025, 6, 10, 12, 0), PARIS, TWO_PM, FR, 0).day == date(2025, 6, 11)


def test_holiday_after_the_order_pushes_the_start():
    # Wed 30 April 2025 at 15:00 Paris is after the cutoff; Thu 1 May is Labour Day, so handling starts Fri 2 May.
    sent = dispatch(utc(2025, 4, 30, 13, 0), PARIS, TWO_PM, FR, handling_days=0)
    assert sent.day == date(2025, 5, 2)
    assert sent.next_cutoff == utc(2025, 5, 2, 12, 0)
    assert sent.countdown == timedelta(days=1, hours=23)


def test_holiday_inside_the_handling_time_is_skipped():
    # Fri 2 May 2025 10:00 Paris, 4 business days of handling: Mon 5, Tue 6, Wed 7, (Thu 8 May, Victory Day), Fri 9.
    sent = dispatch(utc(2025, 5, 2, 8, 0), PARIS, TWO_PM, FR, handling_days=4)
    assert sent.day == date(2025, 5, 9)


def test_year_boundary_and_new_years_day():
    # Wed 31 Dec 2025 15:00 in New York (UTC-5) is after the cutoff; Thu 1 Jan 2026 is a holiday, so handling
    # starts Fri 2 Jan and one business day of handling ships Mon 5 Jan 2026 at 14:00 EST = 19:00 UTC.
    sent = dispatch(utc(2025, 12, 31, 20, 0), NEW_YORK, TWO_PM, US_NY, handling_days=1)
    assert sent.day == date(2026, 1, 5)
    assert sent.at == utc(2026, 1, 5, 19, 0)


def test_christmas_at_the_destination():
    # Germany: 25 and 26 Dec are holidays, 24 and 31 Dec are not (nationally). From Tue 23 Dec 2025:
    # Wed 24 (1), [Thu 25, Fri 26, weekend], Mon 29 (2), Tue 30 (3), Wed 31 (4), [Thu 1 Jan], Fri 2 Jan 2026 (5).
    de = destination_calendar("DE", None)
    assert de.add(date(2025, 12, 23), 3) == date(2025, 12, 30)
    assert de.add(date(2025, 12, 23), 5) == date(2026, 1, 2)
    assert de.add(date(2025, 12, 23), 0) == date(2025, 12, 23)
    assert de.count_between(date(2025, 12, 23), date(2026, 1, 2)) == 5


def test_regional_holiday_counts_at_the_destination():
    # 6 Jan (Epiphany) is a holiday in Bavaria but not in Berlin; Mon 5 Jan 2026 + 1 business day.
    assert destination_calendar("DE", "BY").add(date(2026, 1, 5), 1) == date(2026, 1, 7)
    assert destination_calendar("DE", "BE").add(date(2026, 1, 5), 1) == date(2026, 1, 6)


def test_friday_saturday_weekend_countries():
    # Saudi Arabia's weekend is Friday and Saturday: from Thu 4 Sep 2025, the next business day is Sun 7 Sep.
    assert destination_calendar("SA", None).add(date(2025, 9, 4), 1) == date(2025, 9, 7)


SEVEN_DAYS_PARIS = calendar(ALL_WEEKDAYS, "FR", None)
SEVEN_DAYS_NY = calendar(ALL_WEEKDAYS, "US", None)


@pytest.mark.parametrize(("now", "tz", "cal", "expected_cutoff", "countdown"), [
    # Paris springs forward on Sun 30 March 2025: 11:30 UTC is 13:30 CEST, 30 min before the 14:00 cutoff
    # (a fixed UTC+1 would wrongly say 12:30, 90 min).
    (utc(2025, 3, 30, 11, 30), PARIS, SEVEN_DAYS_PARIS, utc(2025, 3, 30, 12, 0), timedelta(minutes=30)),
    # 12:30 UTC that day is 14:30 CEST: too late; Monday 31 March 14:00 CEST = 12:00 UTC.
    (utc(2025, 3, 30, 12, 30), PARIS, SEVEN_DAYS_PARIS, utc(2025, 3, 31, 12, 0), timedelta(hours=23, minutes=30)),
    # Sat 29 March 15:00 CET to Sun 30 March 14:00 CEST is 23 h on the wall clock but 22 h of real time.
    (utc(2025, 3, 29, 14, 0), PARIS, SEVEN_DAYS_PARIS, utc(2025, 3, 30, 12, 0), timedelta(hours=22)),
    # Autumn, Sun 26 Oct 2025: Sat 15:00 CEST to Sun 14:00 CET is 23 h on the wall clock, 24 h real.
    (utc(2025, 10, 25, 13, 0), PARIS, SEVEN_DAYS_PARIS, utc(2025, 10, 26, 13, 0), timedelta(hours=24)),
    # New York springs forward Sun 9 March 2025: Sat 15:00 EST (20:00 UTC) to Sun 14:00 EDT (18:00 UTC) = 22 h.
    (utc(2025, 3, 8, 20, 0), NEW_YORK, SEVEN_DAYS_NY, utc(2025, 3, 9, 18, 0), timedelta(hours=22)),
    # ...and falls back Sun 2 Nov 2025: Sat 15:00 EDT (19:00 UTC) to Sun 14:00 EST (19:00 UTC) = 24 h.
    (utc(2025, 11, 1, 19, 0), NEW_YORK, SEVEN_DAYS_NY, utc(2025, 11, 2, 19, 0), timedelta(hours=24)),
    # On the autumn Sunday itself, 18:30 UTC is 13:30 EST: half an hour left (EDT would say it was 14:30).
    (utc(2025, 11, 2, 18, 30), NEW_YORK, SEVEN_DAYS_NY, utc(2025, 11, 2, 19, 0), timedelta(minutes=30)),
])
def test_daylight_saving_changes(now, tz, cal, expected_cutoff, countdown):
    _day, cutoff_at = next_cutoff(now, tz, TWO_PM, cal)
    assert cutoff_at == expected_cutoff
    assert cutoff_at - now == countdown


def test_cutoff_inside_the_spring_forward_gap_moves_an_hour_later():
    # 02:30 does not exist in Paris on 30 March 2025; it is read with the old offset: 01:30 UTC = 03:30 CEST.
    assert local_at(date(2025, 3, 30), time(2, 30), PARIS) == utc(2025, 3, 30, 1, 30)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_cutoff(datetime(2025, 1, 1, 12, 0), PARIS, TWO_PM, FR)  # noqa: DTZ001


def test_far_future_dates_extend_the_calendar():
    # 400 business days from a Monday lands on a weekday well over a year later; no index error.
    far = FR.add(date(2025, 1, 6), 400)
    assert far.year == 2026 and far.weekday() < 5 and FR.is_business_day(far)
