"""Supabase's generated `Database` types, written from the replayed schema (no database)."""
