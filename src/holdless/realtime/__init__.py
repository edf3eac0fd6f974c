"""Realtime delivery: a bus between server processes and a hub that fans events out to websockets."""
