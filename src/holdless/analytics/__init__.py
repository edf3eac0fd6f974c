"""Analytics: the KPIs of product.md computed from the event log, live projections, business calendars.

Pure: plain values in, plain values out, time passed in. See docs/analytics.md.
"""
