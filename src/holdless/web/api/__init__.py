"""REST routers under /api/v1; each validates input, calls one action or query, shapes the output."""
