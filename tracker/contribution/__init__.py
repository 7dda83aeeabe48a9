"""Contribution analysis (Mayne) and contribution tracing (Befani & Stedman-Bryce)."""
