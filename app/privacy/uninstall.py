"""app/uninstalled: the shop stops being served at once; its data stays until shop/redact (48 h later)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Shop, ShopStatus, utcnow
from app.privacy.jobs import cancel_shop_jobs

log = logging.getLogger(__name__)


def uninstall_shop(
    session: Session, shop: Shop, triggered_at: datetime | None, after_commit: list[Callable[[], None]]
) -> bool:
    """Mark the shop uninstalled, drop its tokens, and (after commit) cancel its queued jobs.

    A late delivery of an uninstall that happened before the current install changes nothing.
    """
    if triggered_at and shop.installed_at and triggered_at < shop.installed_at:
        log.info("ignoring app/uninstalled of %s from %s: reinstalled at %s", shop.domain, triggered_at,
                 shop.installed_at)
        return False
    shop.status = ShopStatus.UNINSTALLED
    shop.status_reason = "app uninstalled"
    shop.uninstalled_at = triggered_at or utcnow()
    shop.access_token_enc = None
    shop.access_token_expires_at = None
    shop.refresh_token_enc = None
    shop.refresh_token_expires_at = None
    session.flush()
    shop_id = shop.id
    after_commit.append(lambda: cancel_shop_jobs(shop_id))
    return True
