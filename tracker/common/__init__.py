"""Helpers every area shares: text cleaning, SVG, pagination, countries, domain messages and errors. No Flask views."""
