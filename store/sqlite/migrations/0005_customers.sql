-- Customers: every version kept, the data as JSON (kyc.CustomerData).
CREATE TABLE customer_versions (
	id         TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	data       TEXT    NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by TEXT    NOT NULL,
	PRIMARY KEY (id, version)
);
