"""Membership: spend ledger (ledger.py), tier rules (tiers.py), RFM scoring (rfm.py), applied by service.py."""
