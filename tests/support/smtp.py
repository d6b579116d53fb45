"""A real SMTP server on a loopback port (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> SMTP reply for RCPT
    hold: threading.Event | None = None  # when set up, DATA waits on it (to kill a sender mid-send)
    # With `hold`: the server has taken the message (kept) before it waits, and then answers 250.
    keep_held: bool = False
    entered_data: threading.Event = field(default_factory=threading.Event)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if address in self.inbox.refuse:
            return self.inbox.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        if self.inbox.hold is not None:
            import asyncio

            if self.inbox.keep_held:
                self.inbox.messages.append(email.message_from_bytes(envelope.original_content,
                                                                    policy=email.policy.default))
            self.inbox.entered_data.set()
            while not self.inbox.hold.is_set():
                await asyncio.sleep(0.02)
            return "250 Message accepted" if self.inbox.keep_held else "451 try again later"
        self.inbox.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(tls_context: ssl.SSLContext | None = None) -> Iterator[tuple[str, Inbox]]:
    """Yields (SMTP_URL, inbox). With `tls_context` the server offers STARTTLS and requires it."""
    inbox = Inbox()
    port = _free_port()
    kwargs = {"tls_context": tls_context, "require_starttls": True} if tls_context else {}
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        query = "?starttls=require" if tls_context else "?starttls=off"
        yield f"smtp://127.0.0.1:{port}{query}", inbox
    finally:
        controller.stop()
