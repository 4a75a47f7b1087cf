-- Coaching sessions: one row per conversation between a user and the coach.
-- The simulator replays personas, so sessions get a sim_ mirror from day one.
CREATE TABLE sessions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  started_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  ended_at TIMESTAMPTZ,
  summary TEXT,
  rating SMALLINT
);

CREATE INDEX idx_sessions_user_id ON sessions(user_id);

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON sessions
  FOR SELECT USING ((select auth.uid()) = user_id);
CREATE POLICY "Users can insert own rows" ON sessions
  FOR INSERT WITH CHECK ((select auth.uid()) = user_id);
CREATE POLICY "Users can update own rows" ON sessions
  FOR UPDATE USING ((select auth.uid()) = user_id);

-- Simulator mirror (no FK to auth.users, no RLS)
CREATE TABLE sim_sessions (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL,
  started_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  ended_at TIMESTAMPTZ,
  summary TEXT,
  rating SMALLINT
);

CREATE INDEX idx_sim_sessions_user_id ON sim_sessions(user_id);
