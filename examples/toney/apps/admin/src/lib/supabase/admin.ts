import { createClient } from '@supabase/supabase-js';

/** Service-role client: bypasses RLS, used for admin pages and the simulator only. */
export function createAdminClient() {
  return createClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.SUPABASE_SERVICE_ROLE_KEY!,
    { auth: { persistSession: false } },
  );
}
