"""A local SMTP server that keeps what it receives: the demo's shoppers' inboxes when SMTP_URL is not set.

The app sends to it over real SMTP, exactly as it would send to a provider. aiosmtpd is a development
dependency: the sink exists for `flexchain demo`, never in production.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Inbox:
    recipients: list[str] = field(default_factory=list)  # one entry per delivered message and recipient
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_since(self, seen: int) -> tuple[list[str], int]:
        with self.lock:
            return self.recipients[seen:], len(self.recipients)


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.inbox.lock:
            self.inbox.recipients.extend(address.lower() for address in envelope.rcpt_tos)
        return "250 Message accepted"


class MailSink:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self._controller = None
        self.url = ""

    def start(self) -> MailSink:
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:  # installed with the dev dependencies
            raise RuntimeError("set SMTP_URL, or install the dev dependencies (aiosmtpd) for the demo's mail sink"
                               ) from exc
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self._controller = Controller(_Handler(self.inbox), hostname="127.0.0.1", port=port)
        self._controller.start()
        self.url = f"smtp://127.0.0.1:{port}?starttls=off"
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
