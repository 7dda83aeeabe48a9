"""Data exchange: data leaving (and entering) the tracker in standard formats, e.g. IATI 2.03 results."""
