"""First sync of a newly installed shop, and the periodic reconciliation that repairs lost webhooks."""
