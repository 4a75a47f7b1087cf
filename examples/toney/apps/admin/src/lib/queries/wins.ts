import type { Win } from '@toney/types';
import { createAdminClient } from '@/lib/supabase/admin';

export type AdminWinRow = Pick<Win, 'id' | 'user_id' | 'text' | 'mood' | 'created_at'>;

/** Latest wins across all users. */
export async function listRecentWins(limit = 100): Promise<AdminWinRow[]> {
  const admin = createAdminClient();
  const { data, error } = await admin
    .from('winz')
    .select('id, user_id, text, mood, created_at')
    .order('created_at', { ascending: false })
    .limit(limit);
  if (error) throw error;
  return data ?? [];
}

/** Wins logged during one session, for the transcript view. */
export async function listSessionWins(sessionId: string): Promise<AdminWinRow[]> {
  const admin = createAdminClient();
  const { data, error } = await admin
    .from('wins')
    .select('id, user_id, text, mood, created_at')
    .eq('session_id', sessionId);
  if (error) throw error;
  return data ?? [];
}
