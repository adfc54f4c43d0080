-- Replicas catch a window up by sequence (monitoring.TransactionReader's
-- WindowHistory with afterSeq): an index on (key, seq) per window kind reads
-- only what was stored since, where (key, at) made every decision read the
-- key's whole history. SQLite serves one process, which loads a window once
-- and never catches up: it has no such indexes, and its inserts stay cheaper.
CREATE INDEX transactions_customer_seq ON transactions (customer_id, seq);
CREATE INDEX transactions_account_seq ON transactions (account_id, seq);
CREATE INDEX transactions_counterparty_seq ON transactions (counterparty_key, seq) WHERE counterparty_key <> '';
CREATE INDEX transactions_agent_seq ON transactions (agent, seq) WHERE agent <> '';
