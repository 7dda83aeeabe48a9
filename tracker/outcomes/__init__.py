"""Outcome Harvesting: harvests, outcome records, substantiation."""
