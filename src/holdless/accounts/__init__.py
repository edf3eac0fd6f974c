"""Accounts: workspaces (tenants), the people who sign in to them, and their API tokens."""
