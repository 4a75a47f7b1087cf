-- Let users pin wins so the coach can bring their favourite ones back up.
ALTER TABLE wins ADD COLUMN is_pinned BOOLEAN DEFAULT false NOT NULL;
-- Mirror for simulator:
ALTER TABLE sim_wins ADD COLUMN is_pinned BOOLEAN DEFAULT false NOT NULL;
