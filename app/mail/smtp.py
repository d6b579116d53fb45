"""Send a message over SMTP, as configured by `SMTP_URL`.

`smtp://user:pass@host:587` uses STARTTLS when the server offers it (`?starttls=require` refuses a server
that does not, `?starttls=off` never asks); `smtps://host:465` is TLS from the first byte. A refusal with a
5xx code is permanent (the message is marked failed/bounced and never retried); anything else — a refused
connection, a timeout, a 4xx — is transient and retried later.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit


class SmtpNotConfigured(RuntimeError):
    pass


class PermanentFailure(Exception):
    """The server refused the message for good (5xx); `bounced` when it refused the recipient."""

    def __init__(self, message: str, bounced: bool) -> None:
        super().__init__(message)
        self.bounced = bounced


class TransientFailure(Exception):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: str  # auto | require | off
    timeout: float = 20.0


def parse_url(url: str | None) -> SmtpSettings:
    if not url:
        raise SmtpNotConfigured("SMTP_URL is not set")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpNotConfigured("SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
    starttls = (parse_qs(parts.query).get("starttls") or ["auto"])[0]
    if starttls not in ("auto", "require", "off"):
        raise SmtpNotConfigured("SMTP_URL starttls must be auto, require or off")
    implicit = parts.scheme == "smtps"
    return SmtpSettings(parts.hostname, parts.port or (465 if implicit else 587),
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None, implicit, starttls)


def _connect(cfg: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    context = context or ssl.create_default_context()
    if cfg.implicit_tls:
        return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
    conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    conn.ehlo()
    if cfg.starttls != "off" and conn.has_extn("starttls"):
        conn.starttls(context=context)
        conn.ehlo()
    elif cfg.starttls == "require":
        conn.close()
        raise TransientFailure("the SMTP server does not offer STARTTLS")
    return conn


class Mailer:
    """One connection reused for a batch of messages (a connection per message would cost a TLS handshake
    each); reconnects once when the server dropped it."""

    def __init__(self, cfg: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        self.cfg = cfg
        self.context = context
        self.conn: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.conn.quit()
            self.conn = None

    def _open(self) -> smtplib.SMTP:
        if self.conn is None:
            conn = _connect(self.cfg, self.context)
            if self.cfg.username:
                conn.login(self.cfg.username, self.cfg.password or "")
            self.conn = conn
        return self.conn

    def send(self, message: EmailMessage) -> None:
        for attempt in (1, 2):
            try:
                refused = self._open().send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if all(code >= 500 for code in codes):
                    raise PermanentFailure(f"recipient refused: {codes}", bounced=True) from exc
                raise TransientFailure(f"recipient deferred: {codes}") from exc
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                if exc.smtp_code >= 500:
                    raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}", bounced=False) from exc
                raise TransientFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                self.conn = None
                if attempt == 2:
                    raise TransientFailure(str(exc)) from exc
                continue
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                raise TransientFailure(str(exc)) from exc
            if refused:
                raise PermanentFailure(f"recipient refused: {refused}", bounced=True)
            return
