"""The only code that knows Shopify's wire formats."""
