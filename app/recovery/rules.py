"""Whether a message may go now, later, or not at all: consent, frequency caps, quiet hours (pure).

The order matters: consent and opt-outs first (no later time fixes them), then caps that skip, then the
per-shopper spacing and quiet hours, which only delay; a delay that lands past the stage's window skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Shopify's email marketing states that mean "do not market to me", whatever the checkout box said later.
REFUSED_STATES = frozenset({"UNSUBSCRIBED", "REDACTED", "INVALID"})

MARKETING = "marketing"
SERVICE = "service"


@dataclass(frozen=True)
class Shopper:
    opted_out: bool  # used our one-click unsubscribe
    accepts_marketing: bool  # the checkout's buyer_accepts_marketing
    customer_state: str | None  # the customer's email marketing state, when a customer is known
    country: str | None  # shipping country, for the merchant's service-message regions
    timezone: str | None  # the shopper's local zone (from the address), else the shop's


@dataclass(frozen=True)
class History:
    sent_for_this_checkout: int
    last_sent_to_shopper: datetime | None  # any recovery message, any checkout
    last_sent_for_other_checkout: datetime | None


@dataclass(frozen=True)
class Decision:
    action: str  # send | delay | skip
    at: datetime | None = None  # for delay
    reason: str | None = None
    basis: str | None = None  # marketing | service, for send


def consent(shopper: Shopper, service_countries: list[str]) -> str | None:
    """MARKETING, SERVICE (a lawful service message only: the first reminder) or None."""
    if shopper.opted_out or (shopper.customer_state or "").upper() in REFUSED_STATES:
        return None
    if shopper.accepts_marketing or (shopper.customer_state or "").upper() == "SUBSCRIBED":
        return MARKETING
    if shopper.country and shopper.country.upper() in service_countries:
        return SERVICE
    return None


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, zone_name: str | None, start: str, end: str) -> datetime | None:
    """The moment quiet hours end, when `now` falls inside them in the shopper's zone; else None."""
    zone = _zone(zone_name)
    local = now.astimezone(zone)
    begin, finish = _hm(start), _hm(end)
    if begin == finish:
        return None
    t = local.time()
    inside = (begin <= t or t < finish) if begin > finish else (begin <= t < finish)
    if not inside:
        return None
    day = local.date() if t < finish else local.date() + timedelta(days=1)
    # Built as a wall-clock time in the zone, so a DST change during the night is handled by zoneinfo.
    return datetime.combine(day, finish, tzinfo=zone).astimezone(now.tzinfo)


def decide(stage: int, shopper: Shopper, history: History, settings: dict, now: datetime,
           not_after: datetime) -> Decision:
    basis = consent(shopper, settings["service_message_countries"])
    if basis is None:
        return Decision("skip", reason="unsubscribed" if shopper.opted_out else "no consent")
    if basis == SERVICE and stage != 1:
        return Decision("skip", reason="service message: only the first reminder is lawful without consent")
    if history.sent_for_this_checkout >= settings["per_checkout_max"]:
        return Decision("skip", reason="checkout cap reached")
    other = history.last_sent_for_other_checkout
    if other is not None and now - other < timedelta(days=settings["other_checkout_days"]):
        return Decision("skip", reason="shopper recently messaged about another checkout")
    at = now
    last = history.last_sent_to_shopper
    if last is not None and at < last + timedelta(hours=settings["per_shopper_hours"]):
        at = last + timedelta(hours=settings["per_shopper_hours"])
    quiet = quiet_until(at, shopper.timezone, settings["quiet_start"], settings["quiet_end"])
    if quiet is not None:
        at = quiet
    if at > not_after:
        return Decision("skip", reason="stage window closed before the message could go")
    if at > now:
        return Decision("delay", at=at, reason="quiet hours" if quiet is not None else "shopper spacing")
    return Decision("send", basis=basis)
