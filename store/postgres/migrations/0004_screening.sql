-- Screening: list snapshots (gzip JSON), the active snapshot per source, and
-- analysts' clearances of false positives.
CREATE TABLE list_snapshots (
	id             TEXT    PRIMARY KEY,
	source         TEXT    NOT NULL,
	version        TEXT    NOT NULL,
	content_sha256 TEXT    NOT NULL,
	entities       BIGINT  NOT NULL,
	loaded_at      BIGINT  NOT NULL,
	loaded_by      TEXT    NOT NULL,
	data           BYTEA   NOT NULL
);
CREATE INDEX list_snapshots_source ON list_snapshots (source, loaded_at);

CREATE TABLE list_active (
	source       TEXT    PRIMARY KEY,
	snapshot_id  TEXT    NOT NULL REFERENCES list_snapshots (id),
	activated_at BIGINT  NOT NULL
);

CREATE TABLE screening_clearances (
	subject    TEXT    NOT NULL,
	list       TEXT    NOT NULL,
	entry_id   TEXT    NOT NULL,
	entry_hash TEXT    NOT NULL,
	reason     TEXT    NOT NULL,
	cleared_by TEXT    NOT NULL,
	cleared_at BIGINT  NOT NULL,
	PRIMARY KEY (subject, list, entry_id)
);
