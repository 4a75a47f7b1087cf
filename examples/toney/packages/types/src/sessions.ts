/** Row of `sessions` (supabase/migrations/002_sessions.sql). */
export type Session = {
  id?: string;
  created_at?: string;
  user_id: string;
  started_at?: string;
  ended_at: string | null;
  summary: string | null;
  rating: number | null;
};
