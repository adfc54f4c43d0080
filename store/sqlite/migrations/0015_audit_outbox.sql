-- The audit outbox: a change's transaction writes the audit entries that
-- describe it here (all but index and time), so a crash after the change's
-- commit cannot lose them; the log's relay appends them to audit_entries
-- in id order and deletes them in its own transaction. Not append-only:
-- rows are deleted as they are relayed. The id is the rowid: a new row
-- always gets a larger id than any row still waiting.
CREATE TABLE audit_outbox (
	id            INTEGER PRIMARY KEY,
	actor_kind    TEXT    NOT NULL,
	actor_id      TEXT    NOT NULL,
	action        TEXT    NOT NULL,
	subject_type  TEXT    NOT NULL,
	subject_id    TEXT    NOT NULL,
	request_id    TEXT    NOT NULL DEFAULT '',
	change        BLOB,             -- canonical JSON (RFC 8785); NULL for none
	change_sha256 TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);
