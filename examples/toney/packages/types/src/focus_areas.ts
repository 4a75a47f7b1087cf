/** Row of `focus_areas` (supabase/migrations/008_focus_areas.sql). */
export type FocusArea = {
  id?: string;
  created_at?: string;
  user_id: string;
  title: string;
  description: string | null;
  tags?: string[];
  is_active?: boolean;
};
