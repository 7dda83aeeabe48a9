"""Data exchange: data leaving and entering Evidence Tracker in standard formats."""
