-- Profiles: one row per auth user with the display name shown by the coach.
-- Keyed by the auth user id so deleting the account removes the profile too.
CREATE TABLE profiles (
  id UUID PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  updated_at TIMESTAMPTZ DEFAULT now() NOT NULL,
  display_name TEXT
);

ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can read own rows" ON profiles
  FOR SELECT USING ((select auth.uid()) = id);
CREATE POLICY "Users can insert own rows" ON profiles
  FOR INSERT WITH CHECK ((select auth.uid()) = id);
CREATE POLICY "Users can update own rows" ON profiles
  FOR UPDATE USING ((select auth.uid()) = id);
