export type Completion = {
  text: string;
  model: string;
  usage: { input_tokens: number; output_tokens: number };
};

const MODEL = 'claude-3-5-sonnet-latest';

/** One call to the coaching model; usage is returned so callers can log it to llm_usage. */
export async function complete(system: string, prompt: string): Promise<Completion> {
  const response = await fetch('https://api.anthropic.com/v1/messages', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': process.env.ANTHROPIC_API_KEY ?? '',
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({
      model: MODEL,
      max_tokens: 1024,
      system,
      messages: [{ role: 'user', content: prompt }],
    }),
  });
  const body = (await response.json()) as {
    content: { type: string; text: string }[];
    usage: { input_tokens: number; output_tokens: number };
  };
  return {
    text: body.content.map((part) => part.text).join(''),
    model: MODEL,
    usage: body.usage,
  };
}
