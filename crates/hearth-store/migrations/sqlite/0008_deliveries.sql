-- Deliveries (发放/送达) of a pledge's cash and item lines to a household: one row per handing
-- over, as the distribution roster (发放签收表) records it. A line may be delivered in several
-- parts; the application keeps their sum at or below the pledged quantity (`quantity`, units of
-- an item line) or amount (`cash_fen`, a cash line), under the pledge's row lock, and marks the
-- line done (`pledge_line.done_at`) when the sum reaches it. Each row keeps its household's
-- village and town, its organization and campaign, so rosters and scope queries need no join.
-- `recipient` is `head` or `proxy` (代领, with `proxy_name` and `proxy_relationship`);
-- `signed_name` is the name written by whoever signed. Later migrations add what the stock and
-- ledger need (e.g. the stock location the items left from) as nullable columns.
-- `delivered_on` is ISO `YYYY-MM-DD` text, as pledge deadlines are.
-- Mirrors ../postgres/0008_deliveries.sql.

CREATE TABLE delivery (
    id                  BLOB PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    pledge_id           BLOB NOT NULL REFERENCES pledge(id),
    line_id             BLOB NOT NULL REFERENCES pledge_line(id),
    household_id        BLOB NOT NULL REFERENCES household(id),
    organization_id     BLOB NOT NULL REFERENCES organization(id),
    campaign_id         BLOB NOT NULL REFERENCES campaign(id),
    village_code        TEXT NOT NULL REFERENCES area(code),
    town_code           TEXT NOT NULL REFERENCES area(code),
    delivered_on        TEXT NOT NULL,
    quantity            BIGINT NOT NULL,
    cash_fen            BIGINT NOT NULL,
    recipient           TEXT NOT NULL,
    proxy_name          TEXT NOT NULL,
    proxy_relationship  TEXT,
    handler             TEXT NOT NULL,
    signed_name         TEXT NOT NULL,
    note                TEXT NOT NULL,
    recorded_by         BLOB NOT NULL REFERENCES app_user(id),
    created_at          TEXT NOT NULL
);
CREATE INDEX delivery_pledge ON delivery(pledge_id);
CREATE INDEX delivery_line ON delivery(line_id);
CREATE INDEX delivery_household ON delivery(household_id);
CREATE INDEX delivery_organization ON delivery(organization_id);
CREATE INDEX delivery_campaign ON delivery(campaign_id);
CREATE INDEX delivery_village ON delivery(village_code);
