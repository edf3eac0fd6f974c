"""Outbound webhooks for integrations (CRM, ticketing) and the signature scheme they share with the signed
messenger webhook (docs/integrations.md).

Pure parts: ``model`` (subscriptions, deliveries, the retry rule), ``signing`` (HMAC-SHA256 over a timestamp
and the body), ``targets`` (which addresses a webhook may reach), ``repository`` (the storage Protocols) and
``actions`` (the only writers). Adapter parts: ``delivery`` (the listener that POSTs with httpx) and
``resolver`` (DNS through getaddrinfo).
"""
