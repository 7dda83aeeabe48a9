"""Donor-ready evidence reports: assembled as plain data, rendered to HTML by Jinja and to PDF by WeasyPrint."""
