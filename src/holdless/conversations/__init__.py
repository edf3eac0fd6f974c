"""Conversations: the lifecycle of one contact's thread, its messages, notes and dispositions."""
