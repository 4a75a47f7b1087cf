-- Messages: every turn of a coaching session, user and assistant alike.
-- Deleted with their session; indexed by session for transcript loads.
CREATE TABLE messages (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content TEXT NOT NULL
);

CREATE INDEX idx_messages_user_id ON messages(user_id);
CREATE INDEX idx_messages_session_id ON messages(session_id);

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON messages
  FOR SELECT USING ((select auth.uid()) = user_id);
CREATE POLICY "Users can insert own rows" ON messages
  FOR INSERT WITH CHECK ((select auth.uid()) = user_id);

-- Simulator mirror (no FK to auth.users, no RLS)
CREATE TABLE sim_messages (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL,
  session_id UUID NOT NULL REFERENCES sim_sessions(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content TEXT NOT NULL
);

CREATE INDEX idx_sim_messages_user_id ON sim_messages(user_id);
CREATE INDEX idx_sim_messages_session_id ON sim_messages(session_id);
