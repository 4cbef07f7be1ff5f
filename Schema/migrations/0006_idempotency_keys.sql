-- Idempotency-Key on creating POSTs: a retried request gets the first response, never a second resource.
CREATE TABLE idempotency_keys (
    principal     text NOT NULL CHECK (length(principal) BETWEEN 1 AND 200),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash  char(64) NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    status        integer CHECK (status BETWEEN 100 AND 599),   -- NULL while the first request is still running
    headers       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
