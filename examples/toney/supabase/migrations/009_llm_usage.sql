-- LLM usage: internal telemetry, one row per model call (tokens and cost).
-- Written only by the service role from after() callbacks, so no RLS.
CREATE TABLE llm_usage (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID REFERENCES auth.users(id) ON DELETE SET NULL,
  session_id UUID,
  route TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER DEFAULT 0 NOT NULL,
  output_tokens INTEGER DEFAULT 0 NOT NULL,
  cost_usd NUMERIC(10,6)
);

CREATE INDEX idx_llm_usage_created_at ON llm_usage(created_at);
