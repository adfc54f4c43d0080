-- The audit outbox: a change's transaction writes the audit entries that
-- describe it here (all but index and time), so a crash after the change's
-- commit cannot lose them; the log's relay appends them to audit_entries
-- in id order, under the audit append lock, and deletes them in its own
-- transaction. Not append-only: rows are deleted as they are relayed.
-- An identity column rather than a serial one: inserting needs no grant
-- on a sequence (docs/postgres-roles.sql grants the table only).
CREATE TABLE audit_outbox (
	id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	actor_kind    TEXT    NOT NULL,
	actor_id      TEXT    NOT NULL,
	action        TEXT    NOT NULL,
	subject_type  TEXT    NOT NULL,
	subject_id    TEXT    NOT NULL,
	request_id    TEXT    NOT NULL DEFAULT '',
	change        BYTEA,            -- canonical JSON (RFC 8785); NULL for none
	change_sha256 TEXT    NOT NULL DEFAULT '',
	created_at    BIGINT  NOT NULL
);
