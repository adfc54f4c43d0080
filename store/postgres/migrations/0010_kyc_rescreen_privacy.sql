-- The latest screening of each ownership structure's parties
-- (kyc.OwnerScreening as JSON), cleared whenever the structure changes, so
-- that re-screening can tell new hits from known ones.
ALTER TABLE customer_owners ADD COLUMN screening TEXT;

-- Each customer's secret salt for the keyed hashes that stand in the audit
-- log for personal data. Erasing a customer deletes the salt, after which the
-- hashes can no longer be tested against guesses.
CREATE TABLE customer_salts (
	customer_id TEXT PRIMARY KEY,
	salt        TEXT NOT NULL
);
