"""Prometheus metrics: the families (`families.py`), the database gauges read at scrape time (`database.py`),
serving them (`exposition.py`) and gunicorn's multiprocess mode (`multiprocess.py`, `gunicorn.py`).

docs/metrics.md lists every family, where each is counted, and example scrape configuration and alerts.
"""
