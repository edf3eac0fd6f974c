"""The virtual agent in the server: a listener on the event log that runs the pure bot (holdless.bot)."""
