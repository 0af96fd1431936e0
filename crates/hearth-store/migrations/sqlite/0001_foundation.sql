-- Foundation: areas, organizations, users, sessions, API tokens, the audit chain.
-- Mirrors ../postgres/0001_foundation.sql; a test keeps the two trees in step.
-- Ids are UUID v7 (BLOB here, uuid there); times are UTC.

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
    id                 BLOB PRIMARY KEY,
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
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX organization_name ON organization(name);

CREATE TABLE organization_area (
    organization_id BLOB NOT NULL REFERENCES organization(id),
    area_code       TEXT NOT NULL REFERENCES area(code),
    PRIMARY KEY (organization_id, area_code)
);
CREATE INDEX organization_area_code ON organization_area(area_code);

CREATE TABLE app_user (
    id                   BLOB PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL,
    area_code            TEXT REFERENCES area(code),
    organization_id      BLOB REFERENCES organization(id),
    status               TEXT NOT NULL,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until         TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at        TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES app_user(id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX session_user_id ON session(user_id);

CREATE TABLE api_token (
    id           BLOB PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES app_user(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    expires_at   TEXT,
    revoked_at   TEXT
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
    at          TEXT NOT NULL,
    actor_id    BLOB,
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

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
