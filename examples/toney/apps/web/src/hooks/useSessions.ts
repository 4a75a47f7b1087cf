'use client';

import { useEffect, useState } from 'react';
import type { Session } from '@toney/types';
import { createClient } from '@/lib/supabase/client';

type SessionListItem = Pick<Session, 'id' | 'started_at' | 'ended_at' | 'summary'>;

/** Past sessions for the history screen. */
export function useSessions(userId: string | null) {
  const [sessions, setSessions] = useState<SessionListItem[]>([]);

  useEffect(() => {
    if (!userId) return;
    const supabase = createClient();
    supabase
      .from('sessions')
      .select('id, started_at, ended_at, summary')
      .eq('user_id', userId)
      .not('ended_at', 'is', null)
      .order('started_at', { ascending: false })
      .then(({ data }) => setSessions(data ?? []));
  }, [userId]);

  return sessions;
}
