-- Supabase's graphql_public schema as the local stack has it (pg_graphql's entry point), for
-- fixtures whose config.toml exposes it: `gen types` adds it the same way (core/gen/platform.py).
CREATE SCHEMA IF NOT EXISTS graphql_public;
CREATE OR REPLACE FUNCTION graphql_public.graphql(
  "operationName" text DEFAULT NULL,
  query text DEFAULT NULL,
  variables jsonb DEFAULT NULL,
  extensions jsonb DEFAULT NULL
) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
