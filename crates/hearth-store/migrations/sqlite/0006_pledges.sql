-- Pairing pledges (结对帮扶承诺书): an organization's undertaking to named households in a
-- campaign. The status is not stored: it is derived from `signed_at`, `cancelled_at`, the lines'
-- `done_at` and the deadline (hearth_core::pledge::derive_status). A line may answer a need the
-- organization claimed (`need_id`); the application keeps a need in at most one pledge that is
-- not cancelled. Each household row keeps its village and town so scope queries need no join.
-- Dates (deadline, schedule) are ISO `YYYY-MM-DD` text, as campaign periods are.
-- Mirrors ../postgres/0006_pledges.sql.

CREATE TABLE pledge (
    id              BLOB PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    campaign_id     BLOB NOT NULL REFERENCES campaign(id),
    organization_id BLOB NOT NULL REFERENCES organization(id),
    mode            TEXT NOT NULL,
    delivery        TEXT NOT NULL,
    deadline        TEXT NOT NULL,
    witness_town    TEXT NOT NULL,
    witness_village TEXT NOT NULL,
    created_by      BLOB NOT NULL REFERENCES app_user(id),
    signed_by       BLOB REFERENCES app_user(id),
    signed_at       TEXT,
    cancelled_by    BLOB REFERENCES app_user(id),
    cancelled_at    TEXT,
    cancel_reason   TEXT NOT NULL,
    version         BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX pledge_organization ON pledge(organization_id);
CREATE INDEX pledge_campaign ON pledge(campaign_id);

CREATE TABLE pledge_household (
    pledge_id       BLOB NOT NULL REFERENCES pledge(id),
    household_id    BLOB NOT NULL REFERENCES household(id),
    village_code    TEXT NOT NULL REFERENCES area(code),
    town_code       TEXT NOT NULL REFERENCES area(code),
    position        BIGINT NOT NULL,
    PRIMARY KEY (pledge_id, household_id)
);
CREATE INDEX pledge_household_village ON pledge_household(village_code);
CREATE INDEX pledge_household_household ON pledge_household(household_id);

CREATE TABLE pledge_line (
    id              BLOB PRIMARY KEY,
    pledge_id       BLOB NOT NULL REFERENCES pledge(id),
    position        BIGINT NOT NULL,
    need_id         BLOB REFERENCES need(id),
    kind            TEXT NOT NULL,
    cash_fen        BIGINT NOT NULL,
    item_code       TEXT REFERENCES item(code),
    quantity        BIGINT NOT NULL,
    unit_value_fen  BIGINT NOT NULL,
    service         TEXT,
    starts_on       TEXT,
    ends_on         TEXT,
    every_n         BIGINT NOT NULL,
    every_unit      TEXT,
    visits          BIGINT NOT NULL,
    done_at         TEXT
);
CREATE INDEX pledge_line_pledge ON pledge_line(pledge_id);
CREATE INDEX pledge_line_need ON pledge_line(need_id);
