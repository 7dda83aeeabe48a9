"""Benchmarks: commands that build synthetic data in a temporary database and print figures as JSON.

Only :mod:`tracker.bench.commands` is imported by the app; each command loads its module when it runs,
so the benchmarks stay out of the app's import graph and every other command starts fast.
"""
