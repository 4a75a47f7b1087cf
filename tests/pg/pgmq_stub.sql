-- A stand-in for pgmq (Supabase Queues), which Debian does not package: its schema and the
-- functions migrations call, making the queue table `pgmq.q_<name>` and its archive
-- `pgmq.a_<name>` (lower-cased, `msg_id` primary key, no RLS, no grants) as pgmq does.
-- Applied before the migrations of a fixture that calls `pgmq.`; not part of the comparison.
CREATE SCHEMA IF NOT EXISTS pgmq;

CREATE FUNCTION pgmq._make(queue_name text, persistence text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE %s TABLE IF NOT EXISTS pgmq.%I (msg_id bigint PRIMARY KEY '
                 'GENERATED ALWAYS AS IDENTITY, read_ct integer NOT NULL DEFAULT 0, '
                 'enqueued_at timestamptz NOT NULL DEFAULT now(), vt timestamptz NOT NULL, '
                 'message jsonb)', persistence, lower('q_' || queue_name));
  EXECUTE format('CREATE %s TABLE IF NOT EXISTS pgmq.%I (msg_id bigint PRIMARY KEY, '
                 'read_ct integer NOT NULL DEFAULT 0, enqueued_at timestamptz NOT NULL '
                 'DEFAULT now(), archived_at timestamptz NOT NULL DEFAULT now(), '
                 'vt timestamptz NOT NULL, message jsonb)', persistence,
                 lower('a_' || queue_name));
END
$$;

CREATE FUNCTION pgmq.create(queue_name text) RETURNS void LANGUAGE sql
  AS $$ SELECT pgmq._make(queue_name, '') $$;
CREATE FUNCTION pgmq.create_unlogged(queue_name text) RETURNS void LANGUAGE sql
  AS $$ SELECT pgmq._make(queue_name, 'UNLOGGED') $$;

CREATE FUNCTION pgmq.drop_queue(queue_name text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TABLE pgmq.%I, pgmq.%I', lower('q_' || queue_name),
                 lower('a_' || queue_name));
  RETURN true;
END
$$;
