"""The TypeScript row-type index: fields, type model, tables, re-exports, Database type."""

from __future__ import annotations

import pytest

from lockstep.core.text import Position, Range, decode_source
from lockstep.core.ts.index import (
    RowType,
    TypeIndex,
    TypesFile,
    build_type_index,
    index_types_file,
    type_name_for_table,
)

WINS = "packages/types/src/wins.ts"
INDEX = "packages/types/src/index.ts"


def only_type(text: str, path: str = WINS) -> RowType:
    types = index_types_file(path, text).types
    assert len(types) == 1
    return types[0]


def field_type(text: str) -> tuple[str, ...]:
    row = only_type(f"export type Win = {{ x: {text} }}")
    assert row.fields[0].type is not None
    return row.fields[0].type.base


# --- declarations and fields -----------------------------------------------------------


def test_exported_type_alias() -> None:
    row = only_type("export type Win = {\n  id: string;\n  text: string;\n};\n")
    assert (row.name, row.kind, row.exported) == ("Win", "type", True)
    assert [f.name for f in row.fields] == ["id", "text"]
    assert row.name_range == Range(Position(0, 12), Position(0, 15))


def test_interface() -> None:
    row = only_type("export interface Win {\n  id: string\n  mood: string\n}\n")
    assert (row.name, row.kind) == ("Win", "interface")
    assert [f.name for f in row.fields] == ["id", "mood"]


def test_interface_extends() -> None:
    row = only_type("interface Win extends Base, Other<string> { id: string }")
    assert row.extends == ("Base", "Other<string>")


def test_intersection_collects_object_members() -> None:
    row = only_type("export type Win = Base & { id: string } & { mood: string }")
    assert [f.name for f in row.fields] == ["id", "mood"]
    assert row.extends == ("Base",)


def test_non_exported_type_is_flagged() -> None:
    row = only_type("type Win = { id: string }")
    assert not row.exported


def test_local_export_clause_marks_exported() -> None:
    file = index_types_file(WINS, "type Win = { id: string }\nexport { Win }\n")
    assert file.types[0].exported


def test_field_ranges() -> None:
    text = "export type Win = {\n  mood?: string | null;\n}\n"
    field = only_type(text).fields[0]
    assert field.name_range == Range(Position(1, 2), Position(1, 6))
    assert field.range == Range(Position(1, 2), Position(1, 22))


def test_declaration_range() -> None:
    row = only_type("export type Win = {\n  id: string\n}\n")
    assert row.range == Range(Position(0, 7), Position(2, 1))


def test_optional_and_readonly() -> None:
    row = only_type("type Win = { readonly id: string; mood?: string; readonly n?: number }")
    assert [(f.optional, f.readonly) for f in row.fields] == [
        (False, True),
        (True, False),
        (True, True),
    ]


def test_nullable() -> None:
    row = only_type("type Win = { a: string | null; b: string }")
    a, b = row.fields
    assert a.type is not None and b.type is not None
    assert (a.type.nullable, a.type.base) == (True, ("string",))
    assert (b.type.nullable, b.type.base) == (False, ("string",))


def test_null_first_and_undefined() -> None:
    row = only_type("type Win = { a: null | number | undefined }")
    t = row.fields[0].type
    assert t is not None
    assert (t.nullable, t.undefinable, t.base) == (True, True, ("number",))


def test_array_suffix() -> None:
    t = only_type("type Win = { tags: string[] | null }").fields[0].type
    assert t is not None
    assert (t.is_array, t.base, t.nullable) == (True, ("string",), True)


def test_array_generic() -> None:
    t = only_type("type Win = { tags: Array<number> }").fields[0].type
    assert t is not None
    assert (t.is_array, t.base) == (True, ("number",))


def test_readonly_array_and_nullable_elements() -> None:
    t = only_type("type Win = { tags: readonly (string | null)[] }").fields[0].type
    assert t is not None
    assert (t.is_array, t.base, t.element_nullable, t.nullable) == (
        True,
        ("string",),
        True,
        False,
    )


def test_string_literal_union() -> None:
    t = only_type("type Win = { mood: 'happy' | \"sad\" | null }").fields[0].type
    assert t is not None
    assert t.literals == ("happy", "sad")
    assert t.is_literal_union
    assert t.nullable


def test_references_other_types() -> None:
    t = only_type("type Win = { mood: Mood | null; meta: Record<string, Json> }").fields
    assert t[0].type is not None and t[1].type is not None
    assert t[0].type.references == ("Mood",)
    assert t[0].type.base == ("Mood",)
    assert t[1].type.references == ("Json",)


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("string", ("string",)),
        ("number | string", ("number", "string")),
        ("boolean", ("boolean",)),
        ("Date", ("Date",)),
        ("Database['public']['Enums']['mood']", ("Database['public']['Enums']['mood']",)),
        ("{ a:   number }", ("{ a: number }",)),
    ],
)
def test_base_types(text: str, base: tuple[str, ...]) -> None:
    assert field_type(text) == base


def test_quoted_field_name() -> None:
    field = only_type("type Win = { 'odd-name': string }").fields[0]
    assert field.name == "odd-name"
    assert field.name_range == Range(Position(0, 14), Position(0, 22))


def test_methods_and_index_signatures_skipped() -> None:
    row = only_type("interface Win { id: string; f(): void; [k: string]: unknown }")
    assert [f.name for f in row.fields] == ["id"]


def test_jsdoc_on_type_and_field() -> None:
    text = "/**\n * A win.\n */\nexport type Win = {\n  /** The text. */\n  text: string\n}\n"
    row = only_type(text)
    assert row.doc == "A win."
    assert row.fields[0].doc == "The text."


def test_table_tag() -> None:
    row = only_type("/** Wins.\n * @table sim_wins\n */\nexport type SimWinRow = { id: string }")
    assert row.table_tag == "sim_wins"


def test_plain_comment_is_not_jsdoc() -> None:
    row = only_type("// @table wins\nexport type Foo = { id: string }")
    assert row.doc is None
    assert row.table_tag is None


def test_non_object_alias() -> None:
    file = index_types_file(WINS, "export type Mood = 'happy' | 'sad'\n")
    assert file.types == ()
    assert file.aliases[0].name == "Mood"
    assert file.aliases[0].type.literals == ("happy", "sad")


# --- encodings and broken input --------------------------------------------------------


def test_crlf() -> None:
    text = "export type Win = {\r\n  id: string;\r\n  mood?: string | null;\r\n}\r\n"
    row = only_type(text)
    assert row.fields[1].name_range == Range(Position(2, 2), Position(2, 6))
    assert row.fields[1].range.end == Position(2, 22)


def test_non_ascii_columns_are_utf16() -> None:
    text = "export type Win = { /* émoji 😀 */ mood: string }"
    field = only_type(text).fields[0]
    # 'é' is 2 bytes / 1 unit, '😀' is 4 bytes / 2 units
    start = text.index("mood") + 1  # one extra UTF-16 unit for the astral emoji
    assert field.name_range == Range(Position(0, start), Position(0, start + 4))


def test_utf16_file_via_decode_source() -> None:
    raw = "\ufeffexport type Wïn = {\r\n  id: string\r\n}\r\n".encode("utf-16-le")
    row = only_type(decode_source(raw).text)
    assert row.name == "Wïn"
    assert row.fields[0].name_range == Range(Position(1, 2), Position(1, 4))


def test_bom_utf8() -> None:
    raw = b"\xef\xbb\xbfexport type Win = { id: string }"
    row = only_type(decode_source(raw).text)
    assert row.name_range == Range(Position(0, 12), Position(0, 15))


@pytest.mark.parametrize(
    "text",
    [
        "export type Win = {",
        "export type Win = { id: string; mood:",
        "export type = { }",
        "interface { a: }",
        "export type Win = { id string }",
        "}}}{{{",
        "export * from",
        "export { from './x'",
        "type Database = { public: { Tables: { wins: { Row: ",
        "\x00\x01garbage\ud800",
        "",
    ],
)
def test_broken_typescript_never_raises(text: str) -> None:
    file = index_types_file(WINS, text)
    build_type_index({WINS: file, INDEX: index_types_file(INDEX, text)})


def test_half_typed_file_keeps_earlier_types() -> None:
    text = "export type Win = { id: string }\nexport type Session = { id: string; ended_at:"
    file = index_types_file(WINS, text)
    assert "Win" in [row.name for row in file.types]
    assert file.types[0].fields[0].name == "id"
    assert file.has_errors


def test_types_after_a_broken_statement() -> None:
    text = "const x = ;\nexport type Win = { id: string }\n"
    assert [row.name for row in index_types_file(WINS, text).types] == ["Win"]


# --- table names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "name"),
    [
        ("wins", "Win"),
        ("llm_usage", "LlmUsage"),
        ("sim_wins", "SimWin"),
        ("sessions", "Session"),
        ("activities", "Activity"),
        ("profiles", "Profile"),
        ("statuses", "Status"),
        ("coaching_notes", "CoachingNote"),
        ("addresses", "Address"),
        ("matches", "Match"),
        ("boxes", "Box"),
        ("progress", "Progress"),
        ("people", "Person"),
        ("public.wins", "Win"),
    ],
)
def test_type_name_for_table(table: str, name: str) -> None:
    assert type_name_for_table(table) == name


def make_index(
    files: dict[str, str], type_map: dict[str, str] | None = None, index_path: str = INDEX
) -> TypeIndex:
    indexed = {path: index_types_file(path, text) for path, text in files.items()}
    return build_type_index(indexed, index_path, type_map)


def test_type_for_table_by_convention() -> None:
    index = make_index({WINS: "export type Win = { id: string }\nexport type SimWin = {}"})
    win = index.type_for_table("wins")
    assert win is not None and win.name == "Win"
    sim = index.type_for_table("sim_wins")
    assert sim is not None and sim.name == "SimWin"
    assert index.type_for_table("sessions") is None


def test_type_for_table_plural_fallback() -> None:
    index = make_index({WINS: "export type UserSettings = { id: string }"})
    found = index.type_for_table("user_settings")
    assert found is not None and found.name == "UserSettings"


def test_type_for_table_by_jsdoc_tag_wins_over_convention() -> None:
    text = "/** @table wins */\nexport type WinRow = { id: string }\nexport type Win = {}\n"
    index = make_index({WINS: text})
    found = index.type_for_table("wins")
    assert found is not None and found.name == "WinRow"


def test_tag_claims_type_for_another_table() -> None:
    index = make_index({WINS: "/** @table sim_wins */\nexport type Win = { id: string }"})
    assert index.type_for_table("wins") is None
    found = index.type_for_table("sim_wins")
    assert found is not None and found.name == "Win"


def test_type_for_table_by_type_map() -> None:
    index = make_index({WINS: "export type Achievement = { id: string }"}, {"Achievement": "wins"})
    found = index.type_for_table("wins")
    assert found is not None and found.name == "Achievement"


def test_table_for_type_and_resolve() -> None:
    text = "export type Win = {}\nexport type LlmUsage = {}\n/** @table x */ type Y = {}\n"
    index = make_index({WINS: text}, {"Mapped": "z"})
    rows = {row.name: row for row in index.types}
    tables = ["wins", "llm_usage", "profiles"]
    assert index.table_for_type(rows["Win"], tables) == "wins"
    assert index.table_for_type(rows["LlmUsage"], tables) == "llm_usage"
    assert index.table_for_type(rows["Y"], tables) == "x"
    assert sorted(index.resolve(tables)) == ["llm_usage", "wins"]


def test_prefers_exported_duplicate() -> None:
    index = make_index(
        {
            "packages/types/src/a.ts": "type Win = { a: string }",
            "packages/types/src/b.ts": "export type Win = { b: string }",
            INDEX: "export * from './b'\n",
        }
    )
    found = index.type_for_table("wins")
    assert found is not None and found.path == "packages/types/src/b.ts"


# --- re-exports ------------------------------------------------------------------------


def test_reexport_statements_are_recorded() -> None:
    text = (
        "export * from './wins'\n"
        "export type { Session } from './sessions'\n"
        'export { Profile as P } from "./profiles.js"\n'
        "export * as ns from './ns'\n"
        "export * from '@scope/pkg'\n"
    )
    file = index_types_file(INDEX, text)
    star, typed, named, namespace, package = file.reexports
    assert (star.target, star.names) == ("packages/types/src/wins", None)
    assert (typed.names, typed.type_only) == ((("Session", "Session"),), True)
    assert (named.target, named.names) == ("packages/types/src/profiles", (("Profile", "P"),))
    assert namespace.namespace == "ns"
    assert package.target is None


def test_exports_through_index() -> None:
    index = make_index(
        {
            INDEX: (
                "export * from './wins'\n"
                "export type { Session } from './sessions'\n"
                'export { Profile } from "./profiles.js"\n'
                "export type Local = { id: string }\n"
            ),
            WINS: "export type Win = {}\ntype Hidden = {}\n",
            "packages/types/src/sessions.ts": "export type Session = {}\nexport type Other = {}\n",
            "packages/types/src/profiles.ts": "export interface Profile { id: string }",
            "packages/types/src/orphan.ts": "export type Orphan = {}",
        }
    )
    exported = {row.name for row in index.types if index.is_exported(row)}
    assert exported == {"Win", "Session", "Profile", "Local"}
    assert index.exports["Win"] == (WINS, "Win")
    assert "packages/types/src/orphan.ts" not in index.exported_files
    assert WINS in index.exported_files


def test_exports_through_nested_barrel_and_import_then_export() -> None:
    index = make_index(
        {
            INDEX: (
                "export * from './tables'\nimport type { Win } from './wins'\nexport type { Win }\n"
            ),
            "packages/types/src/tables/index.ts": "export * from './sessions'\n",
            "packages/types/src/tables/sessions.ts": "export type Session = {}",
            WINS: "export type Win = {}",
        }
    )
    exported = {row.name for row in index.types if index.is_exported(row)}
    assert exported == {"Win", "Session"}


def test_export_cycle_is_safe() -> None:
    index = make_index(
        {
            INDEX: "export * from './a'\n",
            "packages/types/src/a.ts": "export * from './b'\nexport type A = {}",
            "packages/types/src/b.ts": "export * from './a'\nexport type B = {}",
        }
    )
    assert {row.name for row in index.types if index.is_exported(row)} == {"A", "B"}


def test_no_index_file() -> None:
    index = make_index({WINS: "export type Win = {}"})
    assert not index.has_index
    assert not index.is_exported(index.types[0])


# --- Supabase-generated Database type --------------------------------------------------

DATABASE = """export type Json = string | number | boolean | null | { [key: string]: Json } | Json[]

export type Database = {
  public: {
    Tables: {
      wins: {
        Row: {
          id: string
          mood: Database["public"]["Enums"]["mood"] | null
          text: string
        }
        Insert: {
          id?: string
          mood?: Database["public"]["Enums"]["mood"] | null
          text: string
        }
        Update: {
          id?: string
          text?: string
        }
        Relationships: []
      }
    }
    Views: {
      v_wins: {
        Row: { id: string | null }
      }
    }
    Functions: { [_ in never]: never }
    Enums: {
      mood: "happy" | "sad"
    }
  }
}
"""


def test_database_type_tables_and_enums() -> None:
    file = index_types_file("packages/types/src/database.types.ts", DATABASE)
    database = file.database
    assert database is not None
    wins, view = database.tables
    assert (wins.schema, wins.name, wins.kind) == ("public", "wins", "table")
    assert [f.name for f in wins.row] == ["id", "mood", "text"]
    mood = wins.field("mood")
    assert mood is not None and mood.type is not None and mood.type.nullable
    assert [f.optional for f in wins.insert] == [True, True, False]
    assert [f.name for f in wins.update] == ["id", "text"]
    assert wins.name_range == Range(Position(5, 6), Position(5, 10))
    assert (view.name, view.kind) == ("v_wins", "view")
    assert database.enums[0].values == ("happy", "sad")
    assert [row.name for row in file.types] == []
    assert file.aliases[0].name == "Json"


def test_database_table_lookup() -> None:
    index = make_index({"packages/types/src/database.types.ts": DATABASE})
    found = index.database_table("wins")
    assert found is not None and [f.name for f in found.row] == ["id", "mood", "text"]
    assert index.database_table("nope") is None


def test_database_as_interface() -> None:
    text = "export interface Database { public: { Tables: { t: { Row: { a: number } } } } }"
    database = index_types_file("x.ts", text).database
    assert database is not None
    assert database.tables[0].row[0].name == "a"


def test_empty_files() -> None:
    assert index_types_file(WINS, "") == TypesFile(WINS)


@pytest.mark.parametrize(
    ("value", "table"),
    [
        ("Tables<'wins'>", "wins"),
        ('Tables<"wins">', "wins"),
        ("Database['public']['Tables']['wins']['Row']", "wins"),
        ('Database["public"]["Views"]["v_wins"]["Row"]', "v_wins"),
        ("Database['public']['Tables']['wins']['Insert']", None),
        ("TablesInsert<'wins'>", None),
        ("Other['public']['Tables']['wins']['Row']", None),
        ("string", None),
    ],
)
def test_alias_of_generated_row(value: str, table: str | None) -> None:
    file = index_types_file(WINS, f"export type Win = {value}\n")
    assert file.aliases[0].row_of == table


def test_row_alias_for_table() -> None:
    index = make_index({WINS: "export type Win = Tables<'wins'>\n"})
    found = index.row_alias_for_table("wins")
    assert found is not None and found.name == "Win"
    assert index.row_alias_for_table("sessions") is None
