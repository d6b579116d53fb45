"""Outgoing mail: SMTP sending, message rendering (HTML + text), signed unsubscribe and tracking tokens."""
