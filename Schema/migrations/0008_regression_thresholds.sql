-- A working group's tolerance per task and metric: moving the wrong way by more than this between consecutive
-- checkpoints of its series flags a regression.
CREATE TABLE regression_thresholds (
    working_group_id  uuid NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    task_id           uuid NOT NULL REFERENCES evaluation_tasks (id) ON DELETE CASCADE,
    metric            text NOT NULL CHECK (metric ~ '^[a-z0-9_@.]{1,64}$'),
    threshold         double precision NOT NULL CHECK (threshold >= 0 AND threshold < 'Infinity'::float8),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (working_group_id, task_id, metric)
);
-- Leaderboards read the latest succeeded run per checkpoint.
CREATE INDEX runs_group_succeeded_idx ON runs (working_group_id, finished_at DESC) WHERE status = 'succeeded';
