"""Helpers every area shares: text, SVG, labels, pagination, countries, spreadsheet formulas, messages, errors.

No Flask: the web layer and every area build on these, never the other way round.
"""
