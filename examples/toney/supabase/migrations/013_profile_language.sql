-- Coaching language per user (ISO 639-1), English unless the user picks another.
-- profiles has no sim_ mirror: personas carry their language in the simulator config.
ALTER TABLE profiles ADD COLUMN language TEXT DEFAULT 'en' NOT NULL;
