"""A continuous webhook burst, as Shopify sends one: signed `orders/paid` deliveries at a steady pace from a
few connections, every answer kept, and now and then a delivery made again under a webhook id already
sent (Shopify may deliver one event more than once). Runs until stopped, so it spans a whole outage."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from app.devshop.sender import deliver
from tests.conftest import API_SECRET
from tests.store.factories import SHOP
from tests.support import webhook_payloads as payloads


@dataclass
class Answer:
    order: int
    webhook_id: str
    status: int
    retry_after: str | None
    at: float  # time.monotonic() when answered
    phase: str


@dataclass
class Burst:
    url: str  # the app's base URL
    per_second: float = 10.0
    connections: int = 4
    redeliver_every: int = 10  # every n-th delivery repeats an earlier one
    phase: str = "before"
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def send(self, n: int) -> Answer:
        webhook_id = f"o-{n}"
        response = deliver(f"{self.url}/webhooks", "orders/paid", SHOP, payloads.order(n), API_SECRET,
                           webhook_id=webhook_id)
        answer = Answer(n, webhook_id, response.status_code, response.headers.get("Retry-After"), time.monotonic(),
                        self.phase)
        with self._lock:
            self.answers.append(answer)
        return answer

    def start(self) -> None:
        counter = itertools.count(1)
        interval = self.connections / self.per_second
        started = time.monotonic()

        def run(lane: int) -> None:
            beat = started + lane * interval / self.connections
            while not self._stop.is_set():
                k = next(counter)
                # A redelivery repeats an order sent a moment ago (its first answer may or may not be in).
                n = k - 5 if k > 5 and k % self.redeliver_every == 0 else k
                self.send(n)
                beat += interval
                self._stop.wait(max(0.0, beat - time.monotonic()))

        self._threads = [threading.Thread(target=run, args=(lane,), daemon=True) for lane in range(self.connections)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def orders(self) -> set[int]:
        return {a.order for a in self.answers}

    def by_phase(self) -> dict[str, Counter]:
        """Answers' status codes per phase of the test."""
        found: dict[str, Counter] = {}
        for a in self.answers:
            found.setdefault(a.phase, Counter())[a.status] += 1
        return found

    def unanswered(self) -> list[int]:
        """Orders never answered 200: the deliveries Shopify would make again."""
        ok = {a.order for a in self.answers if a.status == 200}
        return sorted(self.orders() - ok)
