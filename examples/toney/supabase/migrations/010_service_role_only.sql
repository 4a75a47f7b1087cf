-- The sim_ tables and llm_usage are written by the service role only (the simulator and the
-- telemetry callbacks). Supabase grants anon and authenticated every privilege on new tables
-- in public, so without RLS they were readable and writable with the anon key: take the
-- grants away (the service role keeps its own).
REVOKE ALL ON sim_sessions, sim_messages, sim_wins, sim_coaching_notes, llm_usage
  FROM anon, authenticated;
