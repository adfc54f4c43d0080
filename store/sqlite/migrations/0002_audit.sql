-- Audit log: entries (canonical leaf bytes plus search columns), the tree's
-- stored hashes (tlog layout, one row per entry holding the hashes it
-- completes), signed checkpoints and checkpoint verifier keys.
CREATE TABLE audit_entries (
	idx          INTEGER PRIMARY KEY,
	data         BLOB    NOT NULL,
	time         INTEGER NOT NULL,
	actor        TEXT    NOT NULL,
	action       TEXT    NOT NULL,
	subject_type TEXT    NOT NULL,
	subject_id   TEXT    NOT NULL
);
CREATE INDEX audit_entries_subject ON audit_entries (subject_type, subject_id);
CREATE INDEX audit_entries_time ON audit_entries (time);

CREATE TABLE audit_hashes (
	idx    INTEGER PRIMARY KEY,
	hashes BLOB    NOT NULL
);

CREATE TABLE audit_checkpoints (
	size INTEGER PRIMARY KEY,
	time INTEGER NOT NULL,
	note TEXT    NOT NULL
);

CREATE TABLE audit_keys (
	vkey     TEXT    PRIMARY KEY,
	added_at INTEGER NOT NULL
);

-- Append-only: the store has no update or delete for these tables, and these
-- triggers refuse them from anywhere else too.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER audit_hashes_no_update BEFORE UPDATE ON audit_hashes BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER audit_hashes_no_delete BEFORE DELETE ON audit_hashes BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
