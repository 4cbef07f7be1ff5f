-- Allocation accounting: change requests, overdraft flags, and who did what when the actor is not a member.

CREATE TABLE allocation_requests (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    allocation_id   uuid NOT NULL REFERENCES allocations (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('increase', 'extension')),
    amount_delta    numeric(14, 2) CHECK (amount_delta > 0),
    new_period_end  date,
    reason          text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 5000),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
    requested_by    text NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 200),
    decided_by      text,
    decision_note   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz,
    CONSTRAINT allocation_requests_shape_check CHECK (
        (kind = 'increase' AND amount_delta IS NOT NULL AND new_period_end IS NULL)
        OR (kind = 'extension' AND new_period_end IS NOT NULL AND amount_delta IS NULL)),
    CONSTRAINT allocation_requests_decision_check CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX allocation_requests_pending_idx ON allocation_requests (created_at) WHERE status = 'pending';
CREATE INDEX allocation_requests_allocation_idx ON allocation_requests (allocation_id);

-- A charge accepted past the balance on a resource that allows overdraft is kept, and flagged.
ALTER TABLE usage_records ADD COLUMN overdraft boolean NOT NULL DEFAULT false;
-- The Slurm user or runner that consumed the compute, when the source says.
ALTER TABLE usage_records ADD COLUMN consumer text CHECK (length(consumer) <= 200);

-- Administrators act from the CLI as OS users who need not be members; the audit log names them.
ALTER TABLE audit_log ADD COLUMN actor_name text CHECK (length(actor_name) <= 200);
ALTER TABLE audit_log ADD COLUMN reason text CHECK (length(reason) <= 5000);

CREATE INDEX allocations_slurm_account_idx ON allocations (slurm_account) WHERE slurm_account IS NOT NULL;
