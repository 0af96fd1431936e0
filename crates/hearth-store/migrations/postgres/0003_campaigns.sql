-- Campaigns (暖冬行动) and the organizations enrolled in them, in numbered batches.
-- Mirrors ../sqlite/0003_campaigns.sql.

CREATE TABLE campaign (
    id                UUID PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    year              BIGINT NOT NULL,
    starts_on         TEXT NOT NULL,
    ends_on           TEXT NOT NULL,
    focus_fields      TEXT NOT NULL,
    target_households BIGINT NOT NULL,
    target_cash_fen   BIGINT NOT NULL,
    target_items      BIGINT NOT NULL,
    arrangements      TEXT NOT NULL,
    status            TEXT NOT NULL,
    version           BIGINT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE enrolment (
    campaign_id     UUID NOT NULL REFERENCES campaign(id),
    organization_id UUID NOT NULL REFERENCES organization(id),
    batch           BIGINT,
    status          TEXT NOT NULL,
    applied_at      TIMESTAMPTZ,
    decided_at      TIMESTAMPTZ,
    decided_by      UUID REFERENCES app_user(id),
    PRIMARY KEY (campaign_id, organization_id)
);
CREATE INDEX enrolment_organization ON enrolment(organization_id);
