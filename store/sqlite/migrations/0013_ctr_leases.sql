-- Currency transaction reports (ctr.Report as JSON), one per person and
-- business day: the id is derived from both, so closing twice adds nothing.
CREATE TABLE ctr_reports (
	id           TEXT    PRIMARY KEY,
	business_day TEXT    NOT NULL,
	person_id    TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	data         TEXT    NOT NULL
);
CREATE INDEX ctr_reports_day ON ctr_reports (business_day, status);

-- Business days closed.
CREATE TABLE ctr_closes (
	business_day TEXT    PRIMARY KEY,
	closed_at    INTEGER  NOT NULL,
	reports      INTEGER NOT NULL
);

-- Leases for scheduled jobs: one replica runs each at a time.
CREATE TABLE leases (
	name       TEXT   PRIMARY KEY,
	holder     TEXT   NOT NULL,
	expires_at INTEGER NOT NULL
);
