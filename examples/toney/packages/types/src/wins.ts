/** Values of the `mood` enum (005_wins.sql, 011_mood_grateful.sql). */
export type Mood = 'proud' | 'relieved' | 'hopeful' | 'anxious' | 'grateful';

/** Row of `wins` (supabase/migrations/005_wins.sql, 015_wins_pinned.sql). */
export type Win = {
  id?: string;
  created_at?: string;
  user_id: string;
  session_id: string | null;
  text: string;
  mood: Mood | null;
  is_pinned?: boolean;
};
