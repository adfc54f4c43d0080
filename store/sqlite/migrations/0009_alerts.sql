-- Alerts raised by monitoring rules and re-screening (cases.Alert). One open
-- alert per customer and rule within the rule's window is extended rather
-- than duplicated; evidence is JSON, bounded by cases.MaxEvidence.
CREATE TABLE alerts (
	id           TEXT    PRIMARY KEY,
	customer_id  TEXT    NOT NULL,
	source       TEXT    NOT NULL,
	rule_id      TEXT    NOT NULL,
	rule_version INTEGER NOT NULL,
	severity     TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	first_at     INTEGER  NOT NULL,
	last_at      INTEGER  NOT NULL,
	hits         INTEGER NOT NULL,
	evidence     TEXT    NOT NULL,
	case_id      TEXT,
	closed_at    INTEGER
);
CREATE INDEX alerts_dedup ON alerts (customer_id, rule_id, status, last_at);
CREATE INDEX alerts_status ON alerts (status, id);
