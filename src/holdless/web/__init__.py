"""Web adapter: FastAPI REST API under /api/v1, websockets under /ws, all thin over the domain actions."""
