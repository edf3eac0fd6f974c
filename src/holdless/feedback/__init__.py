"""The customer's voice: CSAT, NPS and CES surveys asked in the customer's channel after a resolution."""
