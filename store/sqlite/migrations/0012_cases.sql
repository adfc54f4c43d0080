-- Cases (cases.Case as JSON) with the columns lists filter on; next_due is
-- the running deadline (the SAR, or the continuing-activity review).
CREATE TABLE cases (
	id          TEXT    PRIMARY KEY,
	customer_id TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	assignee    TEXT    NOT NULL,
	next_due    INTEGER,
	version     INTEGER NOT NULL,
	updated_at  INTEGER  NOT NULL,
	data        TEXT    NOT NULL
);
CREATE INDEX cases_customer ON cases (customer_id);
CREATE INDEX cases_due ON cases (next_due);

-- Files attached to cases; their SHA-256 is in the audit log.
CREATE TABLE case_attachments (
	id      TEXT    PRIMARY KEY,
	case_id TEXT    NOT NULL,
	meta    TEXT    NOT NULL,
	content BLOB      NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id);
