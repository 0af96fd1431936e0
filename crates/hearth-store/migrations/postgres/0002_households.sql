-- Households in difficulty and their members (the household registry, privacy by design).
-- Everything personal about a household (ID numbers, phone, disability, health, consent) is
-- stored only inside `sealed` (AES-256-GCM bound to the row; see src/crypto.rs). The plain
-- columns hold what lists, filters and statistics need: names, masked forms, last four digits,
-- categories, and blind indexes for exact search and uniqueness.
-- Mirrors ../sqlite/0002_households.sql.

CREATE TABLE household (
    id               UUID PRIMARY KEY,
    village_code     TEXT NOT NULL REFERENCES area(code),
    town_code        TEXT NOT NULL REFERENCES area(code),
    status           TEXT NOT NULL,
    head_name        TEXT NOT NULL,
    head_id_masked   TEXT NOT NULL,
    address          TEXT NOT NULL,
    phone_index      TEXT,
    phone_last4      TEXT,
    main_category    TEXT NOT NULL,
    categories       TEXT NOT NULL,
    shares_with_orgs BOOLEAN NOT NULL,
    member_count     BIGINT NOT NULL,
    score            BIGINT NOT NULL,
    sealed           TEXT NOT NULL,
    entered_by       UUID NOT NULL REFERENCES app_user(id),
    reviewed_by      UUID REFERENCES app_user(id),
    reviewed_at      TIMESTAMPTZ,
    return_reason    TEXT NOT NULL,
    retain_until     TEXT NOT NULL,
    anonymised_at    TIMESTAMPTZ,
    version          BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX household_village ON household(village_code);
CREATE INDEX household_town ON household(town_code);
CREATE INDEX household_status ON household(status);
CREATE INDEX household_phone_index ON household(phone_index);
CREATE INDEX household_phone_last4 ON household(phone_last4);

CREATE TABLE household_member (
    id           UUID PRIMARY KEY,
    household_id UUID NOT NULL REFERENCES household(id),
    position     BIGINT NOT NULL,
    name         TEXT NOT NULL,
    relation     TEXT NOT NULL,
    id_index     TEXT NOT NULL UNIQUE,
    id_last4     TEXT NOT NULL,
    sex          TEXT NOT NULL,
    birth_year   BIGINT NOT NULL
);
CREATE INDEX household_member_household ON household_member(household_id);
CREATE INDEX household_member_last4 ON household_member(id_last4);
