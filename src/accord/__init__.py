"""Accord: data reconciliation with reasons."""

__version__ = "0.1.0"
