"""Channel adapters: provider payloads in, domain calls, replies out (docs/channels.md)."""
