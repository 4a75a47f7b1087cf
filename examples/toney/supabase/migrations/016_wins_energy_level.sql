-- Record how energised the user felt about a win (1-5), so the coach can
-- notice which kinds of wins actually motivate them.
ALTER TABLE wins ADD COLUMN energy_level SMALLINT CHECK (energy_level BETWEEN 1 AND 5);
