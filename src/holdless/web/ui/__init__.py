"""The browser pages: the chat widget script, its demo host page, sign-in and the agent desktop."""
