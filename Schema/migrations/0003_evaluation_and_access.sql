-- Evaluations (tasks, suites, schedules, runs, results), API tokens and the audit log.

CREATE TABLE evaluation_tasks (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+([._-][a-z0-9]+)*$'),
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind         text NOT NULL CHECK (kind IN ('perplexity', 'multiple_choice', 'embedding_similarity', 'retrieval', 'classification')),
    description  text NOT NULL DEFAULT '',
    config       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    metrics      text[] NOT NULL CHECK (cardinality(metrics) >= 1),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE evaluation_suites (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+([._-][a-z0-9]+)*$'),
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE evaluation_suite_tasks (
    suite_id  uuid NOT NULL REFERENCES evaluation_suites (id) ON DELETE CASCADE,
    task_id   uuid NOT NULL REFERENCES evaluation_tasks (id) ON DELETE RESTRICT,
    position  integer NOT NULL CHECK (position >= 0),
    PRIMARY KEY (suite_id, task_id),
    UNIQUE (suite_id, position)
);
CREATE INDEX evaluation_suite_tasks_task_idx ON evaluation_suite_tasks (task_id);

CREATE TABLE schedules (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    working_group_id        uuid NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    checkpoint_artifact_id  uuid NOT NULL REFERENCES artifacts (id) ON DELETE RESTRICT,
    suite_id                uuid NOT NULL REFERENCES evaluation_suites (id) ON DELETE RESTRICT,
    cron                    text NOT NULL CHECK (cron ~ '^\S+(\s+\S+){4}$'),
    enabled                 boolean NOT NULL DEFAULT true,
    next_due_at             timestamptz,
    created_by              uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (checkpoint_artifact_id, suite_id, cron)
);
CREATE INDEX schedules_due_idx ON schedules (next_due_at) WHERE enabled;
CREATE INDEX schedules_group_idx ON schedules (working_group_id);

CREATE TABLE runs (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    working_group_id        uuid NOT NULL REFERENCES working_groups (id) ON DELETE RESTRICT,
    checkpoint_artifact_id  uuid NOT NULL REFERENCES artifacts (id) ON DELETE RESTRICT,
    suite_id                uuid NOT NULL REFERENCES evaluation_suites (id) ON DELETE RESTRICT,
    schedule_id             uuid REFERENCES schedules (id) ON DELETE SET NULL,
    due_at                  timestamptz,
    status                  text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts                integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts            integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    lease_owner             text,
    lease_expires_at        timestamptz,
    requested_by            uuid REFERENCES members (id) ON DELETE SET NULL,
    queued_at               timestamptz NOT NULL DEFAULT now(),
    started_at              timestamptz,
    finished_at             timestamptz,
    error                   text,
    reproducibility         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(reproducibility) = 'object'),
    -- Two schedulers racing on one due time create one run.
    UNIQUE (schedule_id, due_at),
    CONSTRAINT runs_lease_check CHECK ((status = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT runs_finished_check CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
    CONSTRAINT runs_timing_check CHECK (finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX runs_queue_idx ON runs (queued_at) WHERE status = 'queued';
CREATE INDEX runs_lease_idx ON runs (lease_expires_at) WHERE status = 'running';
CREATE INDEX runs_group_idx ON runs (working_group_id, queued_at DESC);
CREATE INDEX runs_checkpoint_idx ON runs (checkpoint_artifact_id, queued_at DESC);

CREATE TABLE results (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    run_id    uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id   uuid NOT NULL REFERENCES evaluation_tasks (id) ON DELETE RESTRICT,
    metric    text NOT NULL CHECK (metric ~ '^[a-z0-9_@.]{1,64}$'),
    value     double precision NOT NULL CHECK (value <> 'NaN'::float8),   -- PostgreSQL's NaN equals itself; refuse it outright
    stderr    double precision CHECK (stderr >= 0),
    samples   integer CHECK (samples >= 0),
    UNIQUE (run_id, task_id, metric)
);
CREATE INDEX results_task_metric_idx ON results (task_id, metric);

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    member_id     uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    prefix        text NOT NULL CHECK (prefix ~ '^[A-Za-z0-9_]{4,16}$'),
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    scope         text NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    CONSTRAINT api_tokens_expiry_check CHECK (expires_at IS NULL OR expires_at > created_at)
);
CREATE INDEX api_tokens_member_idx ON api_tokens (member_id);

CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id     uuid REFERENCES members (id) ON DELETE SET NULL,
    token_id     uuid REFERENCES api_tokens (id) ON DELETE SET NULL,
    action       text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    entity_type  text NOT NULL CHECK (length(entity_type) BETWEEN 1 AND 64),
    entity_id    text NOT NULL,
    before       jsonb,
    after        jsonb,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);
