"""Agents: the people who answer, with skills, languages, capacity per channel and presence."""
