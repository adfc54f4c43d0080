-- PostgreSQL roles for a Warden deployment. Run as a superuser after the
-- first `warden migrate` (which runs as warden_owner). The test suite runs
-- this very file (store/postgres/roles_test.go).
--
-- warden_owner:     owns the schema; used only by `warden migrate`.
-- warden_app:       what `warden serve` connects as: it reads and writes the
--                   domain tables, and may only INSERT and SELECT the
--                   audit tables; triggers refuse UPDATE, DELETE
--                   and TRUNCATE there for everyone in any case. The audit
--                   outbox (entries waiting to be appended: written with a
--                   change, deleted as they are relayed) also takes DELETE.
-- warden_retention: `warden audit archive`: the app's rights plus DELETE on
--                   audit_entries, which the trigger allows only inside the
--                   pruning transaction after a verified archive.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'warden_app') THEN
		CREATE ROLE warden_app LOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'warden_retention') THEN
		CREATE ROLE warden_retention LOGIN;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO warden_app, warden_retention;
GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys, bootstrap, idempotency_keys, audit_legal_holds, audit_cursors TO warden_app, warden_retention;
-- The domain tables: screening lists and clearances, customers, their
-- documents, owners and salts (erasure deletes), alerts, transactions and
-- rules, cases, CTRs, leases, readiness results.
GRANT SELECT, INSERT, UPDATE, DELETE ON list_snapshots, list_active, screening_clearances,
	customer_versions, documents, customer_owners, customer_salts, alerts, transactions, rules,
	cases, case_attachments, ctr_reports, ctr_closes, leases, readiness_scans, readiness_attestations
	TO warden_app, warden_retention;
GRANT USAGE, SELECT ON SEQUENCE transactions_seq_seq TO warden_app, warden_retention;
-- A check: every table gets a line above (roles_test.go fails otherwise).
GRANT SELECT ON schema_migrations TO warden_app, warden_retention;
GRANT SELECT, INSERT ON audit_entries, audit_hashes, audit_checkpoints, audit_keys, audit_archives TO warden_app, warden_retention;
GRANT SELECT, INSERT, DELETE ON audit_outbox TO warden_app, warden_retention;
GRANT DELETE ON audit_entries TO warden_retention;
