"""Abandonment recovery: one case per checkout, its staged messages (a send-state machine), opt-outs, settings.

A case exists from the first checkout event with contact details; it turns `abandoned` once the merchant's
delay passes without an update, and `converted` as soon as an order is linked, in whatever order the events
arrive. Messages are rows before they are mail: a worker claims one (state `sending`, a lease) before it talks
to the SMTP server, so a second worker cannot send it too, and a worker killed mid-send leaves a lease that
expires and lets the message be claimed again rather than lost.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps
from app.models.encrypted import EncryptedText, email_indexed


class CaseStatus:
    PENDING = "pending"  # has contact details; waiting for the abandonment delay to pass
    ABANDONED = "abandoned"
    CONVERTED = "converted"  # an order came from it (before or after abandonment)
    CLOSED = "closed"  # completed or closed without an order we saw, or expired past the last stage


class SendState:
    SCHEDULED = "scheduled"
    SENDING = "sending"  # claimed by a worker until `lease_until`
    SENT = "sent"
    FAILED = "failed"  # permanent SMTP refusal or too many attempts
    BOUNCED = "bounced"
    CANCELLED = "cancelled"  # converted, unsubscribed, or the stage no longer applies
    SKIPPED = "skipped"  # not lawful or over a cap at its time (the reason is kept)


class MessageKind:
    TIMED = "timed"  # planned at abandonment for a time in its stage's window
    STOCK = "stock"  # stage 3's back-in-stock / restock-date notice, raised when stock for a short line returns


class RecoveryCase(ShopScoped, Timestamps, Base):
    __tablename__ = "recovery_cases"
    __table_args__ = (
        UniqueConstraint("shop_id", "checkout_id"),
        Index("ix_recovery_cases_due", "status", "due_at"),
        Index("ix_recovery_cases_shop_email_hash", "shop_id", "email_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    checkout_id: Mapped[int] = mapped_column(BigId, ForeignKey("checkouts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.PENDING)
    due_at: Mapped[datetime | None]  # when to look at it next (pending: the abandonment check)
    email: Mapped[str | None] = mapped_column(EncryptedText)  # lower-cased; encrypted at rest
    email_hash: Mapped[str | None] = mapped_column(String(64))  # its blind index: the frequency caps' key
    customer_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    group: Mapped[str | None] = mapped_column(String(10))  # treatment | holdout, fixed at abandonment
    abandoned_at: Mapped[datetime | None]
    value: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    repeat_abandoner: Mapped[bool] = mapped_column(default=False)
    high_value: Mapped[bool] = mapped_column(default=False)
    converted_at: Mapped[datetime | None]
    order_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    revenue: Mapped[Decimal | None]
    # Set once, at conversion: the last message sent within the attribution window before it.
    attributed_message_id: Mapped[int | None] = mapped_column(BigId)
    attributed_stage: Mapped[int | None] = mapped_column(Integer)
    attributed_offer: Mapped[str | None] = mapped_column(String(24))


class RecoveryMessage(ShopScoped, Timestamps, Base):
    __tablename__ = "recovery_messages"
    __table_args__ = (
        UniqueConstraint("case_id", "stage", "kind"),
        Index("ix_recovery_messages_due", "state", "scheduled_for"),
        Index("ix_recovery_messages_shop_email_hash", "shop_id", "email_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("recovery_cases.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12), default=MessageKind.TIMED, server_default=MessageKind.TIMED)
    email: Mapped[str] = mapped_column(EncryptedText)  # the recipient, encrypted at rest; "" once erased
    email_hash: Mapped[str | None] = mapped_column(String(64))  # its blind index: caps and opt-outs compare it
    state: Mapped[str] = mapped_column(String(12), default=SendState.SCHEDULED)
    scheduled_for: Mapped[datetime]
    not_after: Mapped[datetime]  # the stage's window closes: past this the message is skipped, never sent late
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    offer: Mapped[str | None] = mapped_column(String(24))  # supply | reminder | preorder | split | trial | ...
    subject: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str | None] = mapped_column(String(16))
    discount_code: Mapped[str | None] = mapped_column(String(64))
    discount_gid: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict | None] = mapped_column(JSON)  # what the message promised (for the merchant and audits)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    opened_at: Mapped[datetime | None]
    clicked_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # why it was skipped, cancelled or failed


class RecoveryWaitingItem(ShopScoped, Base):
    """A line of an abandoned checkout that the network could not cover when it was abandoned.

    Kept so a stock change (inventory webhooks) finds the cases waiting for that variant through an index,
    rather than scanning every open checkout's lines; removed once its case has been told (or is over).
    """

    __tablename__ = "recovery_waiting_items"
    __table_args__ = (
        UniqueConstraint("case_id", "variant_id"),
        Index("ix_recovery_waiting_items_variant", "shop_id", "variant_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("recovery_cases.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)


class RecoveryOptOut(ShopScoped, Base):
    """An email address that used the one-click unsubscribe: honoured for every later message."""

    __tablename__ = "recovery_opt_outs"
    __table_args__ = (UniqueConstraint("shop_id", "email_hash"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(EncryptedText)  # encrypted at rest, kept for the customer's export
    email_hash: Mapped[str] = mapped_column(String(64))  # its blind index: what every send checks
    created_at: Mapped[datetime]


email_indexed(RecoveryCase.email)
email_indexed(RecoveryMessage.email)
email_indexed(RecoveryOptOut.email)


class RecoverySettings(ShopScoped, Timestamps, Base):
    """The merchant's recovery settings, validated by `app.recovery.settings` before they are stored."""

    __tablename__ = "recovery_settings"
    __table_args__ = (UniqueConstraint("shop_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
