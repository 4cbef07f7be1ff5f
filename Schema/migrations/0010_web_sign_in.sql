-- Signing in to the web pages: members' password hashes (PBKDF2, written by `consortium users set-password`),
-- browser sessions (only a SHA-256 of the cookie's secret is stored) and sign-in attempts for rate limiting.

ALTER TABLE members ADD COLUMN password_hash text
    CHECK (password_hash IS NULL OR password_hash ~ '^pbkdf2-sha256\$[0-9]+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$');

CREATE TABLE web_sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    member_id    uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL CHECK (length(csrf_token) BETWEEN 20 AND 100),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_member_idx ON web_sessions (member_id);

CREATE TABLE sign_in_attempts (
    id           bigserial PRIMARY KEY,
    email        text NOT NULL CHECK (length(email) <= 320),
    client       text NOT NULL CHECK (length(client) <= 100),
    succeeded    boolean NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (lower(email), attempted_at);
CREATE INDEX sign_in_attempts_client_idx ON sign_in_attempts (client, attempted_at);
