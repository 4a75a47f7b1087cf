import { NextResponse } from 'next/server';
import { createAdminClient } from '@/lib/supabase/admin';

/**
 * Deep-copies a real user's coaching history into the sim_ tables so the
 * simulator can replay it as a persona. Session ids are remapped; every other
 * row keeps its content and points at the new sim_sessions rows.
 */
export async function POST(request: Request) {
  const { sourceUserId } = (await request.json()) as { sourceUserId: string };
  const admin = createAdminClient();
  const personaId = crypto.randomUUID();
  const personaSlug = Buffer.from(personaId).toString('base64url').slice(0, 12);

  // 1. Sessions
  const { data: sessions, error: sessionsError } = await admin
    .from('sessions')
    .select('id, created_at, user_id, started_at, ended_at, summary')
    .eq('user_id', sourceUserId);
  if (sessionsError) return fail(sessionsError.message);

  const sessionIds = new Map<string, string>();
  for (const s of sessions ?? []) sessionIds.set(s.id, crypto.randomUUID());
  const remap = (id: string | null) => (id === null ? null : (sessionIds.get(id) ?? null));

  const { error: simSessionsError } = await admin.from('sim_sessions').insert(
    (sessions ?? []).map((s) => ({
      id: sessionIds.get(s.id),
      created_at: s.created_at,
      user_id: personaId,
      started_at: s.started_at,
      ended_at: s.ended_at,
      summary: s.summary,
    })),
  );
  if (simSessionsError) return fail(simSessionsError.message);

  const sourceSessionIds = Array.from(sessionIds.keys());

  // 2. Messages
  const { data: messages, error: messagesError } = await admin
    .from('messages')
    .select('id, created_at, user_id, session_id, role, content, token_count')
    .in('session_id', sourceSessionIds);
  if (messagesError) return fail(messagesError.message);

  const { error: simMessagesError } = await admin.from('sim_messages').insert(
    (messages ?? []).map((m) => ({
      id: crypto.randomUUID(),
      created_at: m.created_at,
      user_id: personaId,
      session_id: remap(m.session_id),
      role: m.role,
      content: m.content,
      token_count: m.token_count,
    })),
  );
  if (simMessagesError) return fail(simMessagesError.message);

  // 3. Wins
  const { data: wins, error: winsError } = await admin
    .from('wins')
    .select('id, created_at, user_id, session_id, text, mood, is_pinned')
    .eq('user_id', sourceUserId);
  if (winsError) return fail(winsError.message);

  const { error: simWinsError } = await admin.from('sim_wins').insert(
    (wins ?? []).map((w) => ({
      id: crypto.randomUUID(),
      created_at: w.created_at,
      user_id: personaId,
      session_id: remap(w.session_id),
      text: w.text,
      mood: w.mood,
      is_pinned: w.is_pinned,
    })),
  );
  if (simWinsError) return fail(simWinsError.message);

  // 4. Coaching notes
  const { data: notes, error: notesError } = await admin
    .from('coaching_notes')
    .select('id, created_at, user_id, session_id, note, category')
    .eq('user_id', sourceUserId);
  if (notesError) return fail(notesError.message);

  const { error: simNotesError } = await admin.from('sim_coaching_notes').insert(
    (notes ?? []).map((n) => ({
      id: crypto.randomUUID(),
      created_at: n.created_at,
      user_id: personaId,
      session_id: remap(n.session_id),
      note: n.note,
      category: n.category,
    })),
  );
  if (simNotesError) return fail(simNotesError.message);

  return NextResponse.json({
    personaId,
    personaSlug,
    copied: {
      sessions: sessions?.length ?? 0,
      messages: messages?.length ?? 0,
      wins: wins?.length ?? 0,
      coaching_notes: notes?.length ?? 0,
    },
  });
}

function fail(message: string) {
  return NextResponse.json({ error: message }, { status: 500 });
}
