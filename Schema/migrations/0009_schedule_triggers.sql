-- A schedule may follow the group's newest published checkpoint instead of a fixed one, and may fire whenever the
-- group publishes a checkpoint instead of on a cron expression.
ALTER TABLE schedules ALTER COLUMN checkpoint_artifact_id DROP NOT NULL;
ALTER TABLE schedules ALTER COLUMN cron DROP NOT NULL;
-- Firing on new checkpoints only makes sense for a schedule that follows the newest one.
ALTER TABLE schedules ADD CONSTRAINT schedules_trigger_check CHECK (cron IS NOT NULL OR checkpoint_artifact_id IS NULL);
ALTER TABLE schedules ADD CONSTRAINT schedules_due_check CHECK (cron IS NOT NULL OR next_due_at IS NULL);
CREATE UNIQUE INDEX schedules_newest_unique ON schedules (working_group_id, suite_id, coalesce(cron, '')) WHERE checkpoint_artifact_id IS NULL;
CREATE INDEX schedules_new_checkpoint_idx ON schedules (working_group_id) WHERE cron IS NULL AND enabled;
-- Each newly published checkpoint is evaluated once per on-new-checkpoint schedule, however often publishing is retried.
CREATE UNIQUE INDEX runs_schedule_checkpoint_unique ON runs (schedule_id, checkpoint_artifact_id) WHERE due_at IS NULL AND schedule_id IS NOT NULL;
-- The nicknames CronExpression accepts (@hourly, @daily…) are stored as written; the first check only knew five fields.
ALTER TABLE schedules DROP CONSTRAINT schedules_cron_check;
ALTER TABLE schedules ADD CONSTRAINT schedules_cron_check
    CHECK (cron ~ '^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+(\s+\S+){4})$');
