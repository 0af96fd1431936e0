-- Precise matching (精准匹配) accepted by the county: one row per acceptance, with the digest of
-- the needs and supplies the proposal was made from, and the transfer plans it made for goods
-- held at stations (the county warehouse's goods go to the household's town station by waybill;
-- a town station hands its own goods out). Claims and pledge lines live in their own tables.
-- Mirrors ../sqlite/0016_matching.sql.

CREATE TABLE matching_acceptance (
    id           UUID PRIMARY KEY,
    campaign_id  UUID NOT NULL REFERENCES campaign(id),
    digest       TEXT NOT NULL,
    claims       BIGINT NOT NULL,
    transfers    BIGINT NOT NULL,
    accepted_by  UUID NOT NULL REFERENCES app_user(id),
    accepted_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX matching_acceptance_campaign ON matching_acceptance(campaign_id, accepted_at);

CREATE TABLE matching_transfer (
    id             UUID PRIMARY KEY,
    acceptance_id  UUID NOT NULL REFERENCES matching_acceptance(id),
    campaign_id    UUID NOT NULL REFERENCES campaign(id),
    need_id        UUID NOT NULL REFERENCES need(id),
    household_id   UUID NOT NULL REFERENCES household(id),
    from_code      TEXT NOT NULL,
    to_code        TEXT NOT NULL,
    item_code      TEXT NOT NULL REFERENCES item(code),
    quantity       BIGINT NOT NULL
);
CREATE INDEX matching_transfer_campaign ON matching_transfer(campaign_id);
CREATE INDEX matching_transfer_need ON matching_transfer(need_id);
