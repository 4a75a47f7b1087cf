-- Store the token count of each message so long transcripts can be trimmed
-- before they are sent to the model.
ALTER TABLE messages ADD COLUMN token_count INTEGER;
-- Mirror for simulator:
ALTER TABLE sim_messages ADD COLUMN token_count INTEGER;
