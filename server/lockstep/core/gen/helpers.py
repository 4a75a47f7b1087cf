# ruff: noqa: E501  (the generator prints these lines as they are)
"""The helper types that follow `Database` in the generated file.

They depend only on the default schema (`public`), so they are kept here as the generator
prints them after formatting.
"""

from __future__ import annotations

from lockstep.core.gen.helpers_legacy import legacy_helper_types

_HELPERS = """\
type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "{default}">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | {{ schema: keyof DatabaseWithoutInternals }},
  TableName extends (DefaultSchemaTableNameOrOptions extends {{
    schema: keyof DatabaseWithoutInternals
  }}
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {{
  schema: keyof DatabaseWithoutInternals
}}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {{
      Row: infer R
    }}
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {{
        Row: infer R
      }}
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | {{ schema: keyof DatabaseWithoutInternals }},
  TableName extends (DefaultSchemaTableNameOrOptions extends {{
    schema: keyof DatabaseWithoutInternals
  }}
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {{
  schema: keyof DatabaseWithoutInternals
}}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {{
      Insert: infer I
    }}
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {{
        Insert: infer I
      }}
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | {{ schema: keyof DatabaseWithoutInternals }},
  TableName extends (DefaultSchemaTableNameOrOptions extends {{
    schema: keyof DatabaseWithoutInternals
  }}
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {{
  schema: keyof DatabaseWithoutInternals
}}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {{
      Update: infer U
    }}
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {{
        Update: infer U
      }}
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | {{ schema: keyof DatabaseWithoutInternals }},
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {{
    schema: keyof DatabaseWithoutInternals
  }}
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {{
  schema: keyof DatabaseWithoutInternals
}}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | {{ schema: keyof DatabaseWithoutInternals }},
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {{
    schema: keyof DatabaseWithoutInternals
  }}
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {{
  schema: keyof DatabaseWithoutInternals
}}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

"""


def helper_types(default_schema: str = "public", era: str = "0.99") -> str:
    """The helper block of an era (eras.py names them)."""
    if era in ("0.83", "0.84"):
        return legacy_helper_types(composite_helper=era == "0.84")
    text = _HELPERS.format(default=default_schema)
    if era in ("0.87", "0.95"):  # Prettier 3.4–3.5 printed the conditional types bare
        for name in ("Default", "Public"):
            text = text.replace(f"extends ({name}", f"extends {name}")
        text = text.replace(": never) = never", ": never = never")
    if era == "0.87":  # before `__InternalSupabase` (0.91): the schemas are `keyof Database`
        text = text.replace('type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">'
                            "\n\n", "")
        text = text.replace(" extends {\n  schema: keyof DatabaseWithoutInternals\n}",
                            " extends { schema: keyof Database }")
        text = text.replace("DatabaseWithoutInternals", "Database")
    return text
