-- Identity and address documents, the record as JSON (kyc.Document).
CREATE TABLE documents (
	id           TEXT    PRIMARY KEY,
	customer_id  TEXT    NOT NULL,
	submitted_at BIGINT  NOT NULL,
	data         TEXT    NOT NULL
);
CREATE INDEX documents_customer ON documents (customer_id, submitted_at);
