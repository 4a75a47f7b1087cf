/** Row of `profiles` (supabase/migrations/001_profiles.sql, 013_profile_language.sql). */
export type Profile = {
  id: string;
  created_at?: string;
  updated_at?: string;
  display_name: string | null;
  language?: string;
};
