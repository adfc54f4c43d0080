-- The latest ownership structure of each legal-entity customer (kyc.Owners
-- as JSON); every change is in the audit log.
CREATE TABLE customer_owners (
	customer_id TEXT    PRIMARY KEY,
	data        TEXT    NOT NULL,
	updated_at  BIGINT  NOT NULL
);
