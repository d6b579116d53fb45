"""Traceability: append-only provenance records in a hash chain, signed passports, and their storefront forms."""
