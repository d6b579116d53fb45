"""Supply engine: where stock is, where the shopper is, and when an order can honestly arrive."""
