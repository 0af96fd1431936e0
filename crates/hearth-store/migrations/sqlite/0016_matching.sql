-- Precise matching (精准匹配) accepted by the county: one row per acceptance, with the digest of
-- the needs and supplies the proposal was made from, and the transfer plans it made for goods
-- held at stations (the county warehouse's goods go to the household's town station by waybill;
-- a town station hands its own goods out). Claims and pledge lines live in their own tables.
-- Mirrors ../postgres/0016_matching.sql.

CREATE TABLE matching_acceptance (
    id           BLOB PRIMARY KEY,
    campaign_id  BLOB NOT NULL REFERENCES campaign(id),
    digest       TEXT NOT NULL,
    claims       BIGINT NOT NULL,
    transfers    BIGINT NOT NULL,
    accepted_by  BLOB NOT NULL REFERENCES app_user(id),
    accepted_at  TEXT NOT NULL
);
CREATE INDEX matching_acceptance_campaign ON matching_acceptance(campaign_id, accepted_at);

CREATE TABLE matching_transfer (
    id             BLOB PRIMARY KEY,
    acceptance_id  BLOB NOT NULL REFERENCES matching_acceptance(id),
    campaign_id    BLOB NOT NULL REFERENCES campaign(id),
    need_id        BLOB NOT NULL REFERENCES need(id),
    household_id   BLOB NOT NULL REFERENCES household(id),
    from_code      TEXT NOT NULL,
    to_code        TEXT NOT NULL,
    item_code      TEXT NOT NULL REFERENCES item(code),
    quantity       BIGINT NOT NULL
);
CREATE INDEX matching_transfer_campaign ON matching_transfer(campaign_id);
CREATE INDEX matching_transfer_need ON matching_transfer(need_id);
