import { after, NextResponse } from 'next/server';
import { buildCoachingPrompt } from '@toney/coaching';
import { createClient } from '@/lib/supabase/server';
import { complete } from '@/lib/llm';

/** Opens a coaching session and asks the coach for an opening line. */
export async function POST() {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });
  }

  const { data: session, error } = await supabase
    .from('sessions')
    .insert({ user_id: user.id })
    .select('id, started_at')
    .single();
  if (error || !session) {
    return NextResponse.json({ error: error?.message ?? 'Could not open session' }, { status: 500 });
  }

  const { data: recentWins } = await supabase
    .from('wins')
    .select('text, mood')
    .eq('user_id', user.id)
    .order('created_at', { ascending: false })
    .limit(3);

  const prompt = await buildCoachingPrompt(supabase, user.id);
  const winsText = (recentWins ?? []).map((w) => `- ${w.text}`).join('\n');
  const opener = await complete(
    prompt.system,
    `${prompt.context}\n\nRecent wins:\n${winsText}\n\nGreet the user and open the session.`,
  );

  await supabase.from('messages').insert({
    user_id: user.id,
    session_id: session.id,
    role: 'assistant',
    content: opener.text,
    token_count: opener.usage.output_tokens,
  });

  after(async () => {
    await supabase.from('llm_usage').insert({
      user_id: user.id,
      session_id: session.id,
      route: 'session/open',
      model: opener.model,
      input_tokens: opener.usage.input_tokens,
      output_tokens: opener.usage.output_tokens,
    });
  });

  return NextResponse.json({ session, opener: opener.text });
}
