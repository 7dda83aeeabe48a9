"""Exports: the portfolio and its evidence as XLSX workbooks and CSV files, per audience."""
