/** Row of `coaching_notes` (supabase/migrations/006_coaching_notes.sql). */
export type CoachingNote = {
  id?: string;
  created_at?: string;
  user_id: string;
  session_id: string | null;
  note: string;
  category: string | null;
};
