"""Identity: passwords, tokens, sign-in sessions, CSRF, rate limits, and who the caller is."""
