-- Audit retention (legal holds, archives) and SIEM export cursors.
CREATE TABLE audit_legal_holds (
	id             TEXT    PRIMARY KEY,
	reason         TEXT    NOT NULL,
	set_by         TEXT    NOT NULL,
	set_at         INTEGER NOT NULL,
	released_at    INTEGER,
	released_by    TEXT,
	release_reason TEXT
);

CREATE TABLE audit_archives (
	id              TEXT    PRIMARY KEY,
	before_index    INTEGER NOT NULL,
	checkpoint_size INTEGER NOT NULL,
	file            TEXT    NOT NULL,
	sha256          TEXT    NOT NULL,
	created_at      INTEGER NOT NULL
);

CREATE TABLE audit_cursors (
	name       TEXT    PRIMARY KEY,
	next_index INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
