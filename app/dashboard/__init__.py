"""The KPI dashboard: daily read models rebuilt by a worker job (build.py), read for a period (read.py),
drawn as SVG (charts.py) and exported as CSV (export.py); the arithmetic is pure (stats.py)."""
