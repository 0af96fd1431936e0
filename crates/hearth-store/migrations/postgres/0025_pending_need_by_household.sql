-- An import asks, for each row's need, whether the same item already waits for the household
-- in the campaign (imports::pending_exists). Without this index each question read every
-- waiting need: 5 ms a row at 120,000 waiting, the better part of importing households with
-- their needs. Mirrors ../sqlite/0025_pending_need_by_household.sql.

CREATE INDEX import_pending_need_household
    ON import_pending_need(household_id, campaign_id, item_code);
