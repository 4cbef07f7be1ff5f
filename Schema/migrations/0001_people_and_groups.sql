-- Who is in the consortium: institutions, members, affiliations, working groups, memberships.
-- Every rule the domain has is also a constraint here, so no code path can store a bad row.

CREATE EXTENSION IF NOT EXISTS btree_gist;   -- exclusion constraints mixing = and && on periods

CREATE TABLE institutions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    country     char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    ror_id      text UNIQUE CHECK (ror_id ~ '^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$'),
    kind        text NOT NULL CHECK (kind IN ('university', 'research_institute', 'company', 'nonprofit', 'government', 'other')),
    website     text CHECK (website ~ '^https?://'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX institutions_country_idx ON institutions (country);

CREATE TABLE members (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email       text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
    orcid       text UNIQUE CHECK (orcid ~ '^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$'),
    country     char(2) CHECK (country ~ '^[A-Z]{2}$'),
    is_admin    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- E-mail addresses are compared case-insensitively, as people type them.
CREATE UNIQUE INDEX members_email_key ON members (lower(email));

CREATE TABLE affiliations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    member_id       uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    institution_id  uuid NOT NULL REFERENCES institutions (id) ON DELETE RESTRICT,
    title           text CHECK (length(title) <= 200),
    started_on      date NOT NULL,
    ended_on        date,
    CONSTRAINT affiliations_period_check CHECK (ended_on IS NULL OR ended_on > started_on),
    CONSTRAINT affiliations_no_overlap EXCLUDE USING gist (
        member_id WITH =, institution_id WITH =, daterange(started_on, ended_on) WITH &&)
);
CREATE INDEX affiliations_institution_idx ON affiliations (institution_id);

CREATE TABLE working_groups (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    charter     text NOT NULL DEFAULT '' CHECK (length(charter) <= 20000),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('proposed', 'active', 'concluded', 'archived')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    member_id         uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    working_group_id  uuid NOT NULL REFERENCES working_groups (id) ON DELETE CASCADE,
    role              text NOT NULL CHECK (role IN ('chair', 'member', 'observer')),
    started_on        date NOT NULL,
    ended_on          date,
    CONSTRAINT memberships_period_check CHECK (ended_on IS NULL OR ended_on > started_on),
    -- One role per person and group at any time; a role change ends one row and starts another.
    CONSTRAINT memberships_no_overlap EXCLUDE USING gist (
        member_id WITH =, working_group_id WITH =, daterange(started_on, ended_on) WITH &&)
);
CREATE INDEX memberships_group_idx ON memberships (working_group_id, role);
CREATE INDEX memberships_member_idx ON memberships (member_id);
