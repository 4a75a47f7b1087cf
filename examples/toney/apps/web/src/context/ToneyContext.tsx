'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Profile, Win } from '@toney/types';
import { createClient } from '@/lib/supabase/client';

type ToneyState = {
  profile: Pick<Profile, 'id' | 'display_name' | 'language'> | null;
  wins: Pick<Win, 'id' | 'text' | 'mood' | 'is_pinned' | 'created_at'>[];
  avatarUrl: string | null;
  setLanguage: (language: string) => Promise<void>;
};

const ToneyContext = createContext<ToneyState | null>(null);

/** Global state for the signed-in user: profile, pinned and recent wins, avatar. */
export function ToneyProvider({ userId, children }: { userId: string; children: ReactNode }) {
  const [profile, setProfile] = useState<ToneyState['profile']>(null);
  const [wins, setWins] = useState<ToneyState['wins']>([]);
  const [avatarUrl, setAvatarUrl] = useState<string | null>(null);

  useEffect(() => {
    const supabase = createClient();
    let cancelled = false;

    async function load() {
      const [{ data: profileRow }, { data: winRows }] = await Promise.all([
        supabase.from('profiles').select('id, display_name, language').eq('id', userId).single(),
        supabase
          .from('wins')
          .select('id, text, mood, is_pinned, created_at')
          .eq('user_id', userId)
          .order('is_pinned', { ascending: false })
          .order('created_at', { ascending: false })
          .limit(20),
      ]);
      if (cancelled) return;
      setProfile(profileRow);
      setWins(winRows ?? []);

      const { data: avatar } = supabase.storage.from('avatars').getPublicUrl(`${userId}.png`);
      setAvatarUrl(avatar.publicUrl);
    }

    void load();
    return () => {
      cancelled = true;
    };
  }, [userId]);

  async function setLanguage(language: string) {
    const supabase = createClient();
    await supabase.from('profiles').upsert([{ id: userId, language }]);
    setProfile((current) => (current ? { ...current, language } : current));
  }

  return (
    <ToneyContext.Provider value={{ profile, wins, avatarUrl, setLanguage }}>
      {children}
    </ToneyContext.Provider>
  );
}

export function useToney(): ToneyState {
  const value = useContext(ToneyContext);
  if (!value) throw new Error('useToney must be used inside <ToneyProvider>');
  return value;
}
