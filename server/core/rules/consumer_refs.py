"""Rules: consumer_refs (being written)."""
