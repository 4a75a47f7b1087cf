"""Migration versions, naming styles and order."""

from __future__ import annotations

from lockstep.core.sql.migration_files import (
    NUMBERED,
    TIMESTAMP,
    dominant_style,
    order_migrations,
    parse_migration_name,
)


def test_numbered_and_timestamp_names() -> None:
    numbered = parse_migration_name("supabase/migrations/036_profile_language.sql")
    assert (numbered.version, numbered.style, numbered.well_formed) == ("036", NUMBERED, True)
    stamped = parse_migration_name("supabase/migrations/20240101120000_init.sql")
    assert (stamped.version, stamped.style, stamped.number) == ("20240101120000", TIMESTAMP,
                                                                20240101120000)


def test_odd_names_are_still_read() -> None:
    spaced = parse_migration_name("m/Add Mood.sql")
    assert spaced.version is None and not spaced.well_formed
    upper = parse_migration_name("m/037_AddMood.sql")
    assert upper.version == "037" and not upper.well_formed


def test_order_is_numeric_then_by_name() -> None:
    names = ["m/1000_b.sql", "m/999_a.sql", "m/010_x.sql", "m/010_a.sql", "m/oops.sql"]
    assert [m.file_name for m in order_migrations(names)] == [
        "010_a.sql", "010_x.sql", "999_a.sql", "1000_b.sql", "oops.sql"]


def test_dominant_style() -> None:
    stamped = order_migrations(["m/20240101120000_a.sql", "m/20240102120000_b.sql", "m/003_c.sql"])
    assert dominant_style(stamped) == TIMESTAMP
    assert dominant_style([]) == NUMBERED
