-- The evaluation runner: the task kinds the engine implements, each task's dataset file, live progress and measured
-- cost on runs, the checkpoint pinned by digest, and per-task outcomes with their reproducibility records.

ALTER TABLE evaluation_tasks DROP CONSTRAINT evaluation_tasks_kind_check;
ALTER TABLE evaluation_tasks ADD CONSTRAINT evaluation_tasks_kind_check
    CHECK (kind IN ('perplexity', 'multiple_choice', 'stereotype_pairs', 'fill_mask_probe', 'embedding_similarity'));
-- A task reads one JSONL file of a dataset artifact; published artifacts are immutable, so the pair pins the bytes.
ALTER TABLE evaluation_tasks ADD COLUMN dataset_artifact_id uuid REFERENCES artifacts (id) ON DELETE RESTRICT;
ALTER TABLE evaluation_tasks ADD COLUMN dataset_path text CHECK (length(dataset_path) BETWEEN 1 AND 500);
ALTER TABLE evaluation_tasks ADD CONSTRAINT evaluation_tasks_dataset_check CHECK ((dataset_artifact_id IS NULL) = (dataset_path IS NULL));

-- SHA-256 over the checkpoint's sorted "path sha256" lines, taken when the run is queued and checked when it starts.
ALTER TABLE runs ADD COLUMN checkpoint_sha256 text CHECK (checkpoint_sha256 ~ '^[0-9a-f]{64}$');
-- Live progress: which task of how many, items done of the task's total.
ALTER TABLE runs ADD COLUMN progress jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(progress) = 'object');
ALTER TABLE runs ADD COLUMN wall_seconds double precision CHECK (wall_seconds >= 0);
ALTER TABLE runs ADD COLUMN cpu_seconds double precision CHECK (cpu_seconds >= 0);
ALTER TABLE runs ADD COLUMN charged_amount numeric(14, 4) CHECK (charged_amount >= 0);

CREATE TABLE run_task_outcomes (
    run_id           uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id          uuid NOT NULL REFERENCES evaluation_tasks (id) ON DELETE RESTRICT,
    items            integer NOT NULL CHECK (items >= 0),
    tokens           bigint NOT NULL CHECK (tokens >= 0),
    wall_seconds     double precision NOT NULL CHECK (wall_seconds >= 0),
    details          jsonb NOT NULL CHECK (jsonb_typeof(details) = 'object'),
    reproducibility  jsonb NOT NULL CHECK (jsonb_typeof(reproducibility) = 'object'),
    PRIMARY KEY (run_id, task_id)
);
CREATE INDEX run_task_outcomes_task_idx ON run_task_outcomes (task_id);
