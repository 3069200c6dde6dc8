"""The HTTP service: app factory, shared dependencies, problem responses, middleware."""
