"""Rules: types (being written)."""
