"""Rules: mirror (being written)."""
