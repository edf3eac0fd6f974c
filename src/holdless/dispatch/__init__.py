"""The routing engine in the running server: fed from the event log, its decisions written back to it.

``Dispatcher`` (service.py) runs in one server process at a time (``leader.py``); ``router.py`` keeps one
engine per workspace and translates stored events into engine events (docs/routing.md, "In the server").
"""
