-- Foundation: areas, organizations, users, sessions, API tokens, the audit chain.
-- Mirrors ../sqlite/0001_foundation.sql; a test keeps the two trees in step.
-- Ids are UUID v7; times are UTC.

CREATE TABLE area (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT REFERENCES area(code),
    short_name  TEXT NOT NULL DEFAULT '',
    is_example  BOOLEAN NOT NULL DEFAULT FALSE,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX area_parent ON area(parent_code);

CREATE TABLE organization (
    id                 UUID PRIMARY KEY,
    name               TEXT NOT NULL,
    uscc               TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    service_fields     TEXT NOT NULL,
    responsible_person TEXT NOT NULL,
    contact_person     TEXT NOT NULL,
    contact_phone      TEXT NOT NULL,
    address            TEXT NOT NULL,
    rating             TEXT,
    note               TEXT NOT NULL,
    status             TEXT NOT NULL,
    version            BIGINT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX organization_name ON organization(name);

CREATE TABLE organization_area (
    organization_id UUID NOT NULL REFERENCES organization(id),
    area_code       TEXT NOT NULL REFERENCES area(code),
    PRIMARY KEY (organization_id, area_code)
);
CREATE INDEX organization_area_code ON organization_area(area_code);

CREATE TABLE app_user (
    id                   UUID PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    area_code            TEXT REFERENCES area(code),
    organization_id      UUID REFERENCES organization(id),
    status               TEXT NOT NULL,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until         TIMESTAMPTZ,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at        TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES app_user(id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_user_id ON session(user_id); -- not `session_user`: a reserved word in PostgreSQL

CREATE TABLE api_token (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES app_user(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_token_user ON api_token(user_id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE audit_event (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    UUID,
    actor_name  TEXT NOT NULL,
    role        TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    detail      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_event_record ON audit_event(record_type, record_id);

CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
