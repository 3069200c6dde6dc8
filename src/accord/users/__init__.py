"""Accounts: registration, the caller's own account, and administrators managing users."""
