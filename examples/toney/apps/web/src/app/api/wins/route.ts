import { NextResponse } from 'next/server';
import type { Mood, Win } from '@toney/types';
import { createClient } from '@/lib/supabase/server';

/** Lists the user's wins with the session each one came from. */
export async function GET() {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });
  }

  const { data, error } = await supabase
    .from('wins')
    .select('*, session:sessions(id, started_at)')
    .eq('user_id', user.id)
    .order('created_at', { ascending: false });
  if (error) {
    return NextResponse.json({ error: error.message }, { status: 500 });
  }
  return NextResponse.json({ wins: data });
}

/** Logs a new win. */
export async function POST(request: Request) {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });
  }

  const body = (await request.json()) as { text: string; mood?: Mood; sessionId?: string };
  const win: Win = {
    user_id: user.id,
    session_id: body.sessionId ?? null,
    text: body.text,
    mood: body.mood ?? null,
  };

  const { data, error } = await supabase
    .from('wins')
    .insert(win)
    .select('id, text, mood, created_at')
    .single();
  if (error) {
    return NextResponse.json({ error: error.message }, { status: 500 });
  }
  return NextResponse.json({ win: data }, { status: 201 });
}

/** Pins or unpins a win. */
export async function PATCH(request: Request) {
  const supabase = await createClient();
  const { id, isPinned } = (await request.json()) as { id: string; isPinned: boolean };

  const { error } = await supabase.from('wins').update({ is_pinned: isPinned }).eq('id', id);
  if (error) {
    return NextResponse.json({ error: error.message }, { status: 500 });
  }
  return new NextResponse(null, { status: 204 });
}
