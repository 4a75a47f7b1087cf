import type { Session } from '@toney/types';
import { createAdminClient } from '@/lib/supabase/admin';

export type AdminSessionRow = Pick<Session, 'id' | 'user_id' | 'started_at' | 'ended_at'> & {
  rating: number | null;
};

/** Most recent sessions across all users, for the admin dashboard. */
export async function listRecentSessions(limit = 50): Promise<AdminSessionRow[]> {
  const admin = createAdminClient();
  const { data, error } = await admin
    .from('sessions')
    .select('id, user_id, started_at, ended_at, rating')
    .order('started_at', { ascending: false })
    .limit(limit);
  if (error) throw error;
  return data ?? [];
}

/** A session with its full transcript. */
export async function getSessionTranscript(sessionId: string) {
  const admin = createAdminClient();
  const { data, error } = await admin
    .from('messages')
    .select('id, role, content, token_count, created_at')
    .eq('session_id', sessionId)
    .order('created_at', { ascending: true });
  if (error) throw error;
  return data ?? [];
}

/** Row count of any table, for the dashboard tiles. */
export async function countRows(tableName: string): Promise<number> {
  const admin = createAdminClient();
  const { count, error } = await admin.from(tableName).select('*', { count: 'exact', head: true });
  if (error) throw error;
  return count ?? 0;
}
