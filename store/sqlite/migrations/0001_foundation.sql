-- Foundation: API keys, the bootstrap marker, idempotency records.
-- Timestamps are INTEGER microseconds since the Unix epoch, UTC.
CREATE TABLE api_keys (
	id           TEXT    PRIMARY KEY,
	name         TEXT    NOT NULL,
	role         TEXT    NOT NULL CHECK (role IN ('admin', 'analyst', 'auditor', 'service')),
	hash         BLOB    NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	revoked_at   INTEGER,
	rotated_from TEXT,
	rotated_to   TEXT,
	created_by   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX api_keys_created_at ON api_keys (created_at);

CREATE TABLE bootstrap (
	name    TEXT    PRIMARY KEY,
	done_at INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
	actor        TEXT    NOT NULL,
	idem_key     TEXT    NOT NULL,
	method       TEXT    NOT NULL,
	path         TEXT    NOT NULL,
	request_hash BLOB    NOT NULL,
	status       INTEGER NOT NULL,
	content_type TEXT    NOT NULL,
	body         BLOB,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (actor, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
