"""Rule sets: the engine's rules documents, stored per project and versioned."""
