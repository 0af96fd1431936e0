-- Money and materials, continued: cash aid to households (现金发放), goods a household gives
-- back (退回), designated cash moved with the donor's consent (变更用途), corrections of
-- donations and purchases by reversal (冲销), and which station a handover left from. As in
-- 0011 and 0012 the money and goods live only in the ledger; these rows are the papers, each
-- naming the first ledger record it posted (`entry_seq`, `movement_seq`, `first_seq`).
--
-- `cash_aid`: cash from campaign funds handed to one household, under `designation` (the
-- ledger's text); it may answer an open cash need (`need_id`) or a cash line of a pledge handed
-- over through the town (`pledge_line_id`, its delivery `delivery_id`).
-- `household_return`: one item given back to `station_code`, at the value it was handed over at.
-- `reallocation`: `amount_fen` moved from one designation to another; `donation_id` is the
-- designated donation it concerns, if the county named one; the consent fields say who agreed,
-- how and when. `correction`: one donation or purchase reversed in full, with the reason; a
-- record is corrected at most once. `distribution.station_code` is the station the goods left
-- (NULL for rows written before: the household's town station).
-- Dates are ISO `YYYY-MM-DD` text. Mirrors ../sqlite/0013_money_papers.sql.

ALTER TABLE distribution ADD COLUMN station_code TEXT REFERENCES area(code);

CREATE TABLE cash_aid (
    id                  UUID PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    campaign_id         UUID NOT NULL REFERENCES campaign(id),
    household_id        UUID NOT NULL REFERENCES household(id),
    village_code        TEXT NOT NULL REFERENCES area(code),
    town_code           TEXT NOT NULL REFERENCES area(code),
    designation         TEXT NOT NULL,
    amount_fen          BIGINT NOT NULL,
    need_id             UUID REFERENCES need(id),
    pledge_line_id      UUID REFERENCES pledge_line(id),
    delivery_id         UUID REFERENCES delivery(id),
    given_on            TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    proxy_name          TEXT NOT NULL,
    proxy_relationship  TEXT,
    handler             TEXT NOT NULL,
    signed_name         TEXT NOT NULL,
    note                TEXT NOT NULL,
    entry_seq           BIGINT NOT NULL REFERENCES ledger_record(seq),
    recorded_by         UUID NOT NULL REFERENCES app_user(id),
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX cash_aid_campaign ON cash_aid(campaign_id, town_code, given_on);
CREATE INDEX cash_aid_household ON cash_aid(household_id);
CREATE INDEX cash_aid_village ON cash_aid(village_code);

CREATE TABLE household_return (
    id              UUID PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    campaign_id     UUID NOT NULL REFERENCES campaign(id),
    household_id    UUID NOT NULL REFERENCES household(id),
    village_code    TEXT NOT NULL REFERENCES area(code),
    station_code    TEXT NOT NULL REFERENCES area(code),
    item_code       TEXT NOT NULL REFERENCES item(code),
    quantity        BIGINT NOT NULL,
    value_fen       BIGINT NOT NULL,
    returned_on     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    handler         TEXT NOT NULL,
    movement_seq    BIGINT NOT NULL REFERENCES ledger_record(seq),
    recorded_by     UUID NOT NULL REFERENCES app_user(id),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX household_return_campaign ON household_return(campaign_id, station_code);
CREATE INDEX household_return_village ON household_return(village_code);

CREATE TABLE reallocation (
    id                  UUID PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    campaign_id         UUID NOT NULL REFERENCES campaign(id),
    donation_id         UUID REFERENCES donation(id),
    from_designation    TEXT NOT NULL,
    to_designation      TEXT NOT NULL,
    amount_fen          BIGINT NOT NULL,
    consent_who         TEXT NOT NULL,
    consent_how         TEXT NOT NULL,
    consent_on          TEXT NOT NULL,
    note                TEXT NOT NULL,
    first_seq           BIGINT NOT NULL REFERENCES ledger_record(seq),
    recorded_by         UUID NOT NULL REFERENCES app_user(id),
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX reallocation_campaign ON reallocation(campaign_id);
CREATE INDEX reallocation_donation ON reallocation(donation_id);

CREATE TABLE correction (
    id              UUID PRIMARY KEY,
    campaign_id     UUID NOT NULL REFERENCES campaign(id),
    record_type     TEXT NOT NULL CHECK (record_type IN ('donation', 'purchase')),
    record_id       UUID NOT NULL,
    reason          TEXT NOT NULL,
    corrected_on    TEXT NOT NULL,
    first_seq       BIGINT NOT NULL REFERENCES ledger_record(seq),
    recorded_by     UUID NOT NULL REFERENCES app_user(id),
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (record_type, record_id)
);
