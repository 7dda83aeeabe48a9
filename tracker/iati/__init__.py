"""IATI 2.03: the activity file built from the portfolio, its codelists, rule checks and schema validation."""
