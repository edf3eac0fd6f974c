"""The complaints register: commitments (acknowledge, respond, resolve by) on the business calendar."""
