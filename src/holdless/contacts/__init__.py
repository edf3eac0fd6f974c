"""Contacts: customers, their channel identities and safe merges."""
