-- Audit log: entries (canonical leaf bytes plus search columns), the tree's
-- stored hashes (tlog layout, one row per entry holding the hashes it
-- completes), signed checkpoints and checkpoint verifier keys.
CREATE TABLE audit_entries (
	idx          BIGINT PRIMARY KEY,
	data         BYTEA  NOT NULL,
	time         BIGINT NOT NULL,
	actor        TEXT   NOT NULL,
	action       TEXT   NOT NULL,
	subject_type TEXT   NOT NULL,
	subject_id   TEXT   NOT NULL
);
CREATE INDEX audit_entries_subject ON audit_entries (subject_type, subject_id);
CREATE INDEX audit_entries_time ON audit_entries (time);

CREATE TABLE audit_hashes (
	idx    BIGINT PRIMARY KEY,
	hashes BYTEA  NOT NULL
);

CREATE TABLE audit_checkpoints (
	size BIGINT PRIMARY KEY,
	time BIGINT NOT NULL,
	note TEXT   NOT NULL
);

CREATE TABLE audit_keys (
	vkey     TEXT   PRIMARY KEY,
	added_at BIGINT NOT NULL
);

-- Append-only: UPDATE, DELETE and TRUNCATE are refused on every audit table.
-- Retention pruning of old entries (never of hashes or checkpoints) is the one
-- exception, allowed only inside a transaction that has run
-- SET LOCAL warden.audit_prune = 'on' after writing a verified archive.
CREATE FUNCTION warden_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_entries'
	   AND current_setting('warden.audit_prune', true) = 'on' THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'audit tables are append-only: % on % refused', TG_OP, TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
	FOR EACH ROW EXECUTE FUNCTION warden_audit_append_only();
CREATE TRIGGER audit_hashes_append_only BEFORE UPDATE OR DELETE ON audit_hashes
	FOR EACH ROW EXECUTE FUNCTION warden_audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
	FOR EACH ROW EXECUTE FUNCTION warden_audit_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
	FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_append_only();
CREATE TRIGGER audit_hashes_no_truncate BEFORE TRUNCATE ON audit_hashes
	FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
	FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_append_only();
