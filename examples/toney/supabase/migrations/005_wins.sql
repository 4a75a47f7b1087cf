-- Wins: small money victories the user logs, optionally tagged with a mood.
-- A win may come out of a session; it goes away with the session or the user.
CREATE TYPE mood AS ENUM ('proud', 'relieved', 'hopeful', 'anxious');

CREATE TABLE wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  session_id UUID REFERENCES sessions(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  mood mood
);

CREATE INDEX idx_wins_user_id ON wins(user_id);
CREATE INDEX idx_wins_session_id ON wins(session_id);

ALTER TABLE wins ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON wins
  FOR SELECT USING ((select auth.uid()) = user_id);
CREATE POLICY "Users can insert own rows" ON wins
  FOR INSERT WITH CHECK ((select auth.uid()) = user_id);
CREATE POLICY "Users can update own rows" ON wins
  FOR UPDATE USING ((select auth.uid()) = user_id);

-- Simulator mirror (no FK to auth.users, no RLS).
-- Gotcha: the simulator's prompt builder reads `content`, so sim_wins carries
-- both `text` and `content TEXT NOT NULL`; the clone must set both.
CREATE TABLE sim_wins (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL,
  session_id UUID REFERENCES sim_sessions(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  content TEXT NOT NULL,
  mood mood
);

CREATE INDEX idx_sim_wins_user_id ON sim_wins(user_id);
CREATE INDEX idx_sim_wins_session_id ON sim_wins(session_id);
