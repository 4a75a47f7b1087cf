-- Focus areas: the money topics a user chose to work on (debt, saving, ...).
-- Set by the user in settings; the simulator gives personas fixed ones, so no sim_ mirror.
CREATE TABLE focus_areas (
  id UUID DEFAULT gen_random_uuid() PRIMARY KEY,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  user_id UUID NOT NULL REFERENCES auth.users(id),
  title TEXT NOT NULL,
  description TEXT,
  tags TEXT[] DEFAULT '{}' NOT NULL,
  is_active BOOLEAN DEFAULT true NOT NULL
);

CREATE INDEX idx_focus_areas_user_id ON focus_areas(user_id);

ALTER TABLE focus_areas ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON focus_areas
  FOR SELECT USING ((select auth.uid()) = user_id);
CREATE POLICY "Users can insert own rows" ON focus_areas
  FOR INSERT WITH CHECK ((select auth.uid()) = user_id);
CREATE POLICY "Users can update own rows" ON focus_areas
  FOR UPDATE USING ((select auth.uid()) = user_id);
