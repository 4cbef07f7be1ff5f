-- Runs executed as Slurm batch jobs (`consortium runner --executor slurm`): one job per attempt, with its state and the
-- accounting Slurm reports, so a run's record says where and how long it ran on the cluster.
CREATE TABLE run_slurm_jobs (
    run_id              uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    attempt             integer NOT NULL CHECK (attempt >= 1),
    job_id              text NOT NULL CHECK (job_id ~ '^[0-9]+(_[0-9]+)?$'),
    account             text NOT NULL CHECK (account ~ '^[A-Za-z0-9_.-]{1,64}$'),
    partition           text CHECK (length(partition) BETWEEN 1 AND 64),
    time_limit_minutes  integer NOT NULL CHECK (time_limit_minutes >= 1),
    -- Slurm's own state names (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, NODE_FAIL, …).
    state               text NOT NULL DEFAULT 'PENDING' CHECK (state ~ '^[A-Z_+ ]{1,40}$'),
    exit_code           text CHECK (length(exit_code) <= 20),
    elapsed_seconds     double precision CHECK (elapsed_seconds >= 0),
    cpu_seconds         double precision CHECK (cpu_seconds >= 0),
    submitted_at        timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, attempt)
);
-- Not unique: Slurm reuses job ids (a controller that lost its state, another cluster); a job is (run, attempt).
CREATE INDEX run_slurm_jobs_job_idx ON run_slurm_jobs (job_id);
