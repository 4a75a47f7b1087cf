-- Coaching notes: what the coach learned about the user, written after each
-- session and fed back into the next prompt. Kept if the session is deleted.
CREATE TABLE coaching_notes (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  session_id UUID REFERENCES sessions(id) ON DELETE SET NULL,
  note TEXT NOT NULL,
  category TEXT
);

CREATE INDEX idx_coaching_notes_user_id ON coaching_notes(user_id);
CREATE INDEX idx_coaching_notes_session_id ON coaching_notes(session_id);

ALTER TABLE coaching_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON coaching_notes
  FOR SELECT USING ((select auth.uid()) = user_id);
CREATE POLICY "Users can insert own rows" ON coaching_notes
  FOR INSERT WITH CHECK ((select auth.uid()) = user_id);

-- Simulator mirror (no FK to auth.users, no RLS)
CREATE TABLE sim_coaching_notes (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL,
  session_id UUID REFERENCES sim_sessions(id) ON DELETE SET NULL,
  note TEXT NOT NULL,
  category TEXT
);

CREATE INDEX idx_sim_coaching_notes_user_id ON sim_coaching_notes(user_id);
CREATE INDEX idx_sim_coaching_notes_session_id ON sim_coaching_notes(session_id);
