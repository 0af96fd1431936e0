-- Households in difficulty and their members (issue: household registry with privacy by design).
-- ID numbers, phones, disability and health details are stored sealed (AES-256-GCM, see
-- hearth-store/src/crypto.rs) and found through blind indexes and last-four columns.
-- Mirrors ../sqlite/0002_households.sql.

CREATE TABLE household (
    id                  UUID PRIMARY KEY,
    village_code        TEXT NOT NULL REFERENCES area(code),
    town_code           TEXT NOT NULL REFERENCES area(code),
    status              TEXT NOT NULL,
    head_name           TEXT NOT NULL,
    address             TEXT NOT NULL,
    phone_sealed        TEXT,
    phone_index         TEXT,
    phone_last4         TEXT,
    main_category       TEXT NOT NULL,
    categories          TEXT NOT NULL,
    causes              TEXT NOT NULL,
    consent             TEXT,
    shares_with_orgs    BOOLEAN NOT NULL DEFAULT FALSE,
    member_count        BIGINT NOT NULL,
    score               BIGINT NOT NULL,
    score_parts         TEXT NOT NULL,
    note                TEXT NOT NULL,
    entered_by          UUID NOT NULL REFERENCES app_user(id),
    submitted_at        TIMESTAMPTZ,
    reviewed_by         UUID REFERENCES app_user(id),
    reviewed_at         TIMESTAMPTZ,
    return_reason       TEXT NOT NULL DEFAULT '',
    retain_until        TEXT,
    anonymised_at       TIMESTAMPTZ,
    version             BIGINT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX household_village ON household(village_code);
CREATE INDEX household_town ON household(town_code);
CREATE INDEX household_status ON household(status);
CREATE INDEX household_phone_index ON household(phone_index);
CREATE INDEX household_phone_last4 ON household(phone_last4);

CREATE TABLE household_member (
    id               UUID PRIMARY KEY,
    household_id     UUID NOT NULL REFERENCES household(id),
    position         BIGINT NOT NULL,
    name             TEXT NOT NULL,
    relation         TEXT NOT NULL,
    id_sealed        TEXT NOT NULL,
    id_index         TEXT NOT NULL UNIQUE,
    id_last4         TEXT NOT NULL,
    sex              TEXT NOT NULL,
    birth_year       BIGINT NOT NULL,
    disability_sealed TEXT,
    health_sealed    TEXT
);
CREATE INDEX household_member_household ON household_member(household_id);
CREATE INDEX household_member_last4 ON household_member(id_last4);
