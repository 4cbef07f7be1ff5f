-- Queued and running evaluations reserve compute on the allocation they will be charged to, so a group's
-- "available" balance (remaining minus committed) cannot be promised twice.
ALTER TABLE runs ADD COLUMN allocation_id uuid REFERENCES allocations (id) ON DELETE RESTRICT;
ALTER TABLE runs ADD COLUMN reserved_amount numeric(14, 4) NOT NULL DEFAULT 0 CHECK (reserved_amount >= 0);
CREATE INDEX runs_allocation_live_idx ON runs (allocation_id) WHERE status IN ('queued', 'running');
