"""Contribution tracing: Bayesian updating of confidence in a claim's mechanism components."""
