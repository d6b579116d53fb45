"""Replay the demo store's months since the install: events as signed webhooks, the workers, recovery mail.

Time moves in ticks. At each tick the events due by then reach the simulator and the app (as Shopify would
send them), the workers process them, and recovery runs as its periodic jobs would at that moment:
abandoned checkouts detected, due messages sent over SMTP. Shoppers react to what lands in their inbox:
some who got a message come back and order, and a few come back on their own, mail or not (the holdout's
baseline). Nothing here writes to the app's tables: everything goes through webhooks, jobs and services.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from app.devshop import demo_webhooks as hooks
from app.devshop.demo_store import Event, order_events
from app.devshop.mail_sink import Inbox
from app.devshop.sender import deliver
from app.devshop.state import SimShop

log = logging.getLogger(__name__)

TICK = timedelta(hours=6)  # the periodic jobs run far more often; four times a day is enough for a story
REPLY_RATE = 0.3  # of shoppers who receive a recovery message, this share comes back and orders


@dataclass
class Replay:
    shop: SimShop
    shop_id: int
    app_url: str
    secret: str
    anchor: datetime
    drain: Callable[[], None]
    recover: Callable[[datetime], None]
    inbox: Inbox | None
    progress: Callable[[str], None] = lambda _line: None
    delivered: dict[str, int] = field(default_factory=dict)
    _heap: list = field(default_factory=list)
    _counter: itertools.count = field(default_factory=itertools.count)
    _open: dict[str, list[dict]] = field(default_factory=dict)  # email -> checkouts not yet converted
    _seen_mail: int = 0

    def push(self, event: Event) -> None:
        if event.at < self.anchor:
            heapq.heappush(self._heap, (event.at, next(self._counter), event))

    def run(self, events: list[Event]) -> None:
        for event in events:
            self.push(event)
        if not self._heap:
            return
        tick = self._heap[0][0] + TICK
        with httpx.Client(timeout=30) as http:
            while tick < self.anchor + TICK:
                now = min(tick, self.anchor)
                while self._heap and self._heap[0][0] <= now:
                    self._apply(http, heapq.heappop(self._heap)[2])
                self.drain()
                self.recover(now)
                self._replies(now)
                if now.weekday() == 0 and now.hour < TICK.total_seconds() // 3600:
                    self.progress(f"  replayed up to {now.date()}: {sum(self.delivered.values()):,} webhooks")
                tick += TICK
        self.drain()

    def _send(self, http: httpx.Client, topic: str, payload: dict, object_id: int, version: str = "") -> None:
        response = deliver(f"{self.app_url}/webhooks", topic, self.shop.domain, payload, self.secret,
                           webhook_id=hooks.webhook_id(topic, object_id, version), client=http)
        if response.status_code != 200:
            raise RuntimeError(f"{topic} for {object_id} refused: {response.status_code} {response.text[:200]}")
        self.delivered[topic] = self.delivered.get(topic, 0) + 1

    def _apply(self, http: httpx.Client, event: Event) -> None:
        data, data_of = event.data, self.shop.data
        if event.kind == "order":
            data_of["orders"][data["id"]] = data
            self._send(http, "orders/create", hooks.order("orders/create", data, self._customer(data)), data["id"])
        elif event.kind == "paid":
            self._send(http, "orders/paid", hooks.order("orders/paid", data, self._customer(data)), data["id"])
        elif event.kind in ("shipped", "delivered"):
            delivered = event.kind == "delivered"
            order = data_of["orders"].get(data["order"]["id"])
            if order is not None:
                order["fulfillment_status"], order["updated_at"] = "FULFILLED", event.at
            self._send(http, "fulfillments/update" if delivered else "fulfillments/create",
                       hooks.fulfillment(data, delivered=delivered), data["id"], event.kind)
        elif event.kind == "refund":
            order = data_of["orders"].get(data["order"]["id"])
            if order is not None:
                order["financial_status"], order["updated_at"] = "PARTIALLY_REFUNDED", event.at
            self._send(http, "refunds/create", hooks.refund(data, event.at), data["id"])
        elif event.kind == "checkout":
            self._checkout(http, event)
        elif event.kind == "convert":
            self._convert(event)

    def _customer(self, order: dict) -> dict:
        return self.shop.data["customers"][order["customer_id"]]

    def _checkout(self, http: httpx.Client, event: Event) -> None:
        c = event.data
        self.shop.data["checkouts"][c["id"]] = c
        customer = self.shop.data["customers"][c["customer_id"]]
        self._send(http, "checkouts/create", hooks.checkout(c, customer, self.app_url, self.shop.domain), c["id"])
        self._open.setdefault(c["email"].lower(), []).append(c)
        if c["returns_after"] is not None:
            self.push(Event(event.at + c["returns_after"], 0, "convert", c))

    def _convert(self, event: Event) -> None:
        c = event.data
        if c.get("completed_at") is not None:
            return  # came back already (a reply and the baseline can both draw it)
        c["completed_at"] = c["updated_at"] = event.at
        waiting = self._open.get(c["email"].lower(), [])
        if c in waiting:
            waiting.remove(c)
        order = dict(c["order"], processed_at=event.at, created_at=event.at, updated_at=event.at)
        for follow in order_events(self.shop, order, self.anchor):
            self.push(follow)

    def _replies(self, now: datetime) -> None:
        """Shoppers whose inbox got a message since the last tick: some come back to their latest checkout."""
        if self.inbox is None:
            return
        arrived, self._seen_mail = self.inbox.take_since(self._seen_mail)
        for address in set(arrived):
            waiting = self._open.get(address)
            if not waiting:
                continue
            c = waiting[-1]
            if c["reply_draw"] < REPLY_RATE:
                self.push(Event(now + c["reply_after"], 0, "convert", c))
