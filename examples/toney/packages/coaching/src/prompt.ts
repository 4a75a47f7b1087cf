import type { SupabaseClient } from '@supabase/supabase-js';
import type { CoachingNote, FocusArea } from '@toney/types';

export type CoachingPrompt = {
  system: string;
  context: string;
};

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Spanish',
  fr: 'French',
  de: 'German',
};

/**
 * Builds the coach's system prompt from what we know about the user.
 * Wins are not read here: the session open route passes recent ones in itself
 * (its own supabase.from('wins') query), so the prompt stays cacheable per user.
 */
export async function buildCoachingPrompt(
  supabase: SupabaseClient,
  userId: string,
): Promise<CoachingPrompt> {
  const [{ data: profile }, { data: notes }, { data: areas }] = await Promise.all([
    supabase.from('profiles').select('display_name, language').eq('id', userId).single(),
    supabase
      .from('coaching_notes')
      .select('note, category, created_at')
      .eq('user_id', userId)
      .order('created_at', { ascending: false })
      .limit(10),
    supabase
      .from('focus_areas')
      .select('title, description, tags')
      .eq('user_id', userId)
      .eq('is_active', true),
  ]);

  const name = profile?.display_name ?? 'there';
  const language = LANGUAGE_NAMES[profile?.language ?? 'en'] ?? 'English';

  const system = [
    `You are Toney, a warm and practical money coach talking with ${name}.`,
    `Always answer in ${language}.`,
    'Celebrate wins, keep advice concrete, and never shame spending.',
  ].join('\n');

  const context = [
    formatFocusAreas((areas ?? []) as Pick<FocusArea, 'title' | 'description' | 'tags'>[]),
    formatNotes((notes ?? []) as Pick<CoachingNote, 'note' | 'category'>[]),
  ]
    .filter((section) => section.length > 0)
    .join('\n\n');

  return { system, context };
}

function formatFocusAreas(areas: Pick<FocusArea, 'title' | 'description' | 'tags'>[]): string {
  if (areas.length === 0) return '';
  const lines = areas.map((area) => {
    const tags = area.tags && area.tags.length > 0 ? ` [${area.tags.join(', ')}]` : '';
    return `- ${area.title}${tags}${area.description ? `: ${area.description}` : ''}`;
  });
  return `Focus areas:\n${lines.join('\n')}`;
}

function formatNotes(notes: Pick<CoachingNote, 'note' | 'category'>[]): string {
  if (notes.length === 0) return '';
  const lines = notes.map((n) => `- ${n.category ? `(${n.category}) ` : ''}${n.note}`);
  return `What you learned in earlier sessions:\n${lines.join('\n')}`;
}
