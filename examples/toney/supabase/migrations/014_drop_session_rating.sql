-- Drop the 1-5 session rating: nobody filled it in, and wins with a mood
-- replaced it as the signal of how a session went.
ALTER TABLE sessions DROP COLUMN rating;
-- Mirror for simulator:
ALTER TABLE sim_sessions DROP COLUMN rating;
