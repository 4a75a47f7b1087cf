import { after, NextResponse } from 'next/server';
import { createClient } from '@/lib/supabase/server';
import { complete } from '@/lib/llm';

/** Closes a session: summarises the transcript and stores a coaching note afterwards. */
export async function POST(request: Request) {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });
  }

  const { sessionId } = (await request.json()) as { sessionId: string };

  const { data: transcript } = await supabase
    .from('messages')
    .select('role, content, created_at')
    .eq('session_id', sessionId)
    .order('created_at', { ascending: true });

  const lines = (transcript ?? []).map((m) => `${m.role}: ${m.content}`);
  const summary = await complete(
    'Summarise this money-coaching session in three sentences.',
    lines.join('\n'),
  );

  const { error } = await supabase
    .from('sessions')
    .update({ ended_at: new Date().toISOString(), summary: summary.text })
    .eq('id', sessionId)
    .eq('user_id', user.id);
  if (error) {
    return NextResponse.json({ error: error.message }, { status: 500 });
  }

  // Opaque handle the client keeps to offer "resume" on the summary screen.
  const resumeToken = Buffer.from(`${sessionId}:${Date.now()}`).toString('base64url');

  after(async () => {
    const note = await complete(
      'Write one short note about this user that will help in the next session.',
      lines.join('\n'),
    );
    await supabase.from('coaching_notes').insert({
      user_id: user.id,
      session_id: sessionId,
      note: note.text,
      category: 'session_summary',
    });
    await supabase.from('llm_usage').insert([
      {
        user_id: user.id,
        session_id: sessionId,
        route: 'session/close',
        model: summary.model,
        input_tokens: summary.usage.input_tokens + note.usage.input_tokens,
        output_tokens: summary.usage.output_tokens + note.usage.output_tokens,
      },
    ]);
  });

  return NextResponse.json({ summary: summary.text, resumeToken });
}
