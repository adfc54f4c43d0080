-- Decided transactions (monitoring.Decided): the transaction and its
-- decision as JSON, with the columns windows and reports query. seq orders
-- them for replicas catching up and for backtests.
CREATE TABLE transactions (
	seq INTEGER PRIMARY KEY, -- no AUTOINCREMENT: rows are never deleted from the top
	id               TEXT    NOT NULL UNIQUE,
	customer_id      TEXT    NOT NULL,
	account_id       TEXT    NOT NULL,
	counterparty_key TEXT    NOT NULL,
	agent            TEXT    NOT NULL,
	at               INTEGER  NOT NULL,
	amount           INTEGER  NOT NULL,
	action           TEXT    NOT NULL,
	needs_alert      INTEGER NOT NULL,
	decided_at       INTEGER  NOT NULL,
	payload_hash     TEXT    NOT NULL,
	-- {"transaction": ..., "decision": ...}: one encoding per row keeps the
	-- single SQLite writer's work per decision small.
	record           TEXT    NOT NULL
);
CREATE INDEX transactions_customer ON transactions (customer_id, at);
CREATE INDEX transactions_account ON transactions (account_id, at);
-- Partial indexes: most transactions have no counterparty key or agent,
-- and only review and block decisions wait for their alerts.
CREATE INDEX transactions_counterparty ON transactions (counterparty_key, at) WHERE counterparty_key <> '';
CREATE INDEX transactions_agent ON transactions (agent, at) WHERE agent <> '';
CREATE INDEX transactions_needs_alert ON transactions (decided_at) WHERE needs_alert = 1;

-- Monitoring rules: every version kept (monitoring.StoredRule as JSON).
CREATE TABLE rules (
	id         TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	created_at INTEGER  NOT NULL,
	data       TEXT    NOT NULL,
	PRIMARY KEY (id, version)
);
