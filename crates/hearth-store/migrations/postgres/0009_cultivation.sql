-- Cultivating organizations (培育): the civil-affairs evaluation grades an organization was given
-- (社会组织评估等级, 1A–5A, each with the day of the decision and the last day it is valid) and
-- the activities it logged (活动记录: date, place, participants, what was done), optionally
-- within a campaign. Rows are only added: a new evaluation is a new row, and the current grade
-- is the latest one still valid (hearth_app::cultivation). Photos of an activity are
-- attachments owned by it (`owner_type = 'activity'`). Dates are ISO `YYYY-MM-DD` text, as
-- campaign periods and pledge deadlines are.
-- Mirrors ../sqlite/0009_cultivation.sql.

CREATE TABLE organization_rating (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organization(id),
    grade           TEXT NOT NULL,
    rated_on        TEXT NOT NULL,
    valid_until     TEXT NOT NULL,
    note            TEXT NOT NULL,
    rated_by        UUID NOT NULL REFERENCES app_user(id),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX organization_rating_organization ON organization_rating(organization_id);

CREATE TABLE organization_activity (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organization(id),
    campaign_id     UUID REFERENCES campaign(id),
    held_on         TEXT NOT NULL,
    place           TEXT NOT NULL,
    participants    BIGINT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    created_by      UUID NOT NULL REFERENCES app_user(id),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX organization_activity_organization ON organization_activity(organization_id);
CREATE INDEX organization_activity_campaign ON organization_activity(campaign_id);
