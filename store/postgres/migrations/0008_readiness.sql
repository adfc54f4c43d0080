-- Readiness scanner (#8): scan history for the trend, and attestations of
-- checklist items a machine cannot check. Attestations are never updated:
-- a new one supersedes, the old ones stay as history.
CREATE TABLE readiness_scans (
	id          TEXT    PRIMARY KEY,
	name        TEXT    NOT NULL,
	started_at  BIGINT  NOT NULL,
	finished_at BIGINT  NOT NULL,
	overall     DOUBLE PRECISION NOT NULL,
	report      TEXT    NOT NULL
);
CREATE INDEX readiness_scans_finished ON readiness_scans (finished_at);

CREATE TABLE readiness_attestations (
	id          TEXT    PRIMARY KEY,
	item        BIGINT  NOT NULL,
	by_name     TEXT    NOT NULL,
	evidence    TEXT    NOT NULL,
	note        TEXT    NOT NULL,
	attested_at BIGINT  NOT NULL,
	expires_at  BIGINT,
	recorded_by TEXT    NOT NULL
);
CREATE INDEX readiness_attestations_item ON readiness_attestations (item, attested_at);
