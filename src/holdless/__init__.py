"""Holdless: an omnichannel contact center where every contact gets a place in line at once."""
