-- Customers: every version kept, the data as JSON (kyc.CustomerData).
CREATE TABLE customer_versions (
	id         TEXT    NOT NULL,
	version    BIGINT  NOT NULL,
	data       TEXT    NOT NULL,
	updated_at BIGINT  NOT NULL,
	updated_by TEXT    NOT NULL,
	PRIMARY KEY (id, version)
);
