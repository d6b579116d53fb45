"""Tokens the simulator issues for a shop, as the encrypted columns of our shop row (what an install stores)."""

from __future__ import annotations

from app.config import Config
from app.devshop.state import DevShopState
from app.shopify.tokens import TokenPair, encrypted_columns


def sim_token_columns(config: Config, sim_state: DevShopState, domain: str) -> dict:
    issued = sim_state.issue_tokens(domain, expiring=True)
    pair = TokenPair(issued.access_token, issued.expires_at, issued.refresh_token, issued.refresh_expires_at,
                     issued.scope)
    return encrypted_columns(config, pair)
