-- What groups produce (artifacts and their files) and the compute they are granted and use.

CREATE TABLE artifacts (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    working_group_id  uuid NOT NULL REFERENCES working_groups (id) ON DELETE RESTRICT,
    kind              text NOT NULL CHECK (kind IN ('paper', 'dataset', 'checkpoint', 'tokenizer', 'model_card', 'code', 'report')),
    slug              text NOT NULL CHECK (slug ~ '^[a-z0-9]+([._-][a-z0-9]+)*$' AND length(slug) <= 120),
    version           text NOT NULL DEFAULT '1' CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$'),
    title             text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 100000),
    license           text CHECK (license ~ '^[A-Za-z0-9.+-]{1,64}$'),
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'withdrawn')),
    metadata          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_by        uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    published_at      timestamptz,
    UNIQUE (working_group_id, slug, version),
    CONSTRAINT artifacts_published_check CHECK ((status = 'draft') = (published_at IS NULL))
);
CREATE INDEX artifacts_group_kind_idx ON artifacts (working_group_id, kind, created_at DESC);
CREATE INDEX artifacts_kind_idx ON artifacts (kind, created_at DESC);

CREATE TABLE artifact_files (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    artifact_id  uuid NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
    -- A relative path: no leading slash, no empty, '.' or '..' segment, no backslash or control character.
    path         text NOT NULL CHECK (
                     length(path) BETWEEN 1 AND 500
                     AND path !~ '^/' AND path !~ '(^|/)\.{0,2}(/|$)' AND path !~ '[\\[:cntrl:]]'),
    sha256       char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    media_type   text NOT NULL DEFAULT 'application/octet-stream',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (artifact_id, path)
);
CREATE INDEX artifact_files_sha256_idx ON artifact_files (sha256);

CREATE TABLE compute_resources (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                    text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name                    text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind                    text NOT NULL CHECK (kind IN ('gpu_partition', 'cpu_pool')),
    unit                    text NOT NULL CHECK (unit IN ('gpu_hours', 'cpu_hours')),
    capacity_per_year       numeric(16, 2) NOT NULL CHECK (capacity_per_year >= 0),
    peak_pflops             numeric(10, 3) CHECK (peak_pflops >= 0),
    power_watts_per_unit    numeric(10, 2) NOT NULL CHECK (power_watts_per_unit >= 0),
    carbon_g_per_kwh        numeric(10, 2) NOT NULL CHECK (carbon_g_per_kwh >= 0),
    slurm_cluster           text,
    slurm_partition         text,
    -- Whether a charge may take an allocation below zero (it is then flagged); otherwise it is refused.
    allow_overdraft         boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT compute_resources_kind_unit_check CHECK ((kind = 'gpu_partition') = (unit = 'gpu_hours'))
);

CREATE TABLE allocations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    working_group_id  uuid NOT NULL REFERENCES working_groups (id) ON DELETE RESTRICT,
    resource_id       uuid NOT NULL REFERENCES compute_resources (id) ON DELETE RESTRICT,
    amount            numeric(14, 2) NOT NULL CHECK (amount >= 0),
    period_start      date NOT NULL,
    period_end        date NOT NULL,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('requested', 'approved', 'active', 'suspended', 'expired', 'revoked')),
    justification     text NOT NULL DEFAULT '' CHECK (length(justification) <= 10000),
    slurm_account     text CHECK (slurm_account ~ '^[A-Za-z0-9_.-]{1,64}$'),
    granted_by        uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT allocations_period_check CHECK (period_end > period_start),
    -- A group holds at most one live allocation of a resource for any day.
    CONSTRAINT allocations_no_overlap EXCLUDE USING gist (
        working_group_id WITH =, resource_id WITH =, daterange(period_start, period_end) WITH &&)
        WHERE (status IN ('approved', 'active', 'suspended'))
);
CREATE INDEX allocations_group_idx ON allocations (working_group_id, period_start DESC);
CREATE INDEX allocations_resource_idx ON allocations (resource_id, period_start DESC);

CREATE TABLE usage_records (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    allocation_id  uuid NOT NULL REFERENCES allocations (id) ON DELETE RESTRICT,
    amount         numeric(14, 4) NOT NULL CHECK (amount >= 0),
    source         text NOT NULL CHECK (source IN ('slurm', 'evaluation_runner', 'manual', 'adjustment')),
    -- Slurm job id or run id: the same job reported twice must not be charged twice.
    external_id    text CHECK (length(external_id) BETWEEN 1 AND 200),
    started_at     timestamptz,
    ended_at       timestamptz,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    recorded_by    uuid REFERENCES members (id) ON DELETE SET NULL,
    CONSTRAINT usage_records_period_check CHECK (ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at),
    UNIQUE (source, external_id)
);
CREATE INDEX usage_records_allocation_idx ON usage_records (allocation_id, recorded_at DESC);
