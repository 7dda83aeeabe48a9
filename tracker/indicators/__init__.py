"""Indicators on theory-of-change nodes: baselines, periods, targets and reviewed actuals."""
