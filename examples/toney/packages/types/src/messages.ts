/** Row of `messages` (supabase/migrations/003_messages.sql, 012_message_token_count.sql). */
export type Message = {
  id?: string;
  created_at?: string;
  user_id: string;
  session_id: string;
  role: string;
  content: string;
  token_count: number | null;
};
