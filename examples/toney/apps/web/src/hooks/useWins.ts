'use client';

import { useCallback, useEffect, useState } from 'react';
import type { Mood, Win } from '@toney/types';
import { createClient } from '@/lib/supabase/client';

type WinListItem = Pick<Win, 'id' | 'text' | 'mood' | 'created_at'>;

/** The signed-in user's wins, newest first, plus the distinct moods among them. */
export function useWins(userId: string | null) {
  const [wins, setWins] = useState<WinListItem[]>([]);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    if (!userId) return;
    setLoading(true);
    const supabase = createClient();
    const { data } = await supabase
      .from('wins')
      .select('id, text, mood, created_at')
      .eq('user_id', userId)
      .order('created_at', { ascending: false });
    setWins(data ?? []);
    setLoading(false);
  }, [userId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const moods: Mood[] = Array.from(
    new Set(wins.map((w) => w.mood).filter((m): m is Mood => m !== null)),
  );

  return { wins, moods, loading, refresh };
}
