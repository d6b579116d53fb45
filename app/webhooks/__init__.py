"""Webhook events after the signature check: storing, queueing, relaying and processing them."""
