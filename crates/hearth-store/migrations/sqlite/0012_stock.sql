-- Stock at the county warehouse and the town stations (库存): the papers behind the ledger's
-- stock movements. The movements themselves, and so every quantity on hand, live only in the
-- ledger (0010_ledger.sql); these tables keep what people filled in and signed, and each
-- movement names its paper as `source`.
--
-- `waybill` (调拨单): goods sent from one station to another (`from_code`, `to_code`: the
-- county or a town), `dispatched` until the receiver counts them in (`received`). Each line
-- keeps what was sent, its value at dispatch, and once received what arrived and, when less,
-- why (`shortfall_cause`, a hearth_core::ledger::AdjustmentCause, and `shortfall_note`).
--
-- `distribution` (集中发放): a town station's handover of campaign goods to one household, as
-- the distribution roster (发放签收表) records it: who received (head or proxy with the
-- relationship), the handler, the name signed. It may answer an approved need (`need_id`) or a
-- line of a pledge handed over through the town (`pledge_line_id`; the line's delivery row is
-- `delivery_id`, so the pledge counts it like any other delivery). Lines keep the value the
-- goods left the station at.
--
-- `stock_adjustment` (报损/盘盈) and `stock_count` (盘点) follow maker-checker: recorded
-- `pending` by one officer, `approved` (and only then posted) or `rejected` by another. A count
-- keeps the book quantity it was taken against; approval is refused if the book has moved since.
-- Dates are ISO `YYYY-MM-DD` text. Mirrors ../postgres/0012_stock.sql.

CREATE TABLE waybill (
    id              BLOB PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    campaign_id     BLOB NOT NULL REFERENCES campaign(id),
    from_code       TEXT NOT NULL REFERENCES area(code),
    to_code         TEXT NOT NULL REFERENCES area(code),
    status          TEXT NOT NULL,
    dispatched_on   TEXT NOT NULL,
    dispatch_note   TEXT NOT NULL,
    dispatched_by   BLOB NOT NULL REFERENCES app_user(id),
    dispatched_at   TEXT NOT NULL,
    received_on     TEXT,
    receipt_note    TEXT NOT NULL,
    received_by     BLOB REFERENCES app_user(id),
    received_at     TEXT
);
CREATE INDEX waybill_campaign ON waybill(campaign_id);
CREATE INDEX waybill_from ON waybill(from_code);
CREATE INDEX waybill_to ON waybill(to_code);

CREATE TABLE waybill_line (
    waybill_id      BLOB NOT NULL REFERENCES waybill(id),
    position        BIGINT NOT NULL,
    item_code       TEXT NOT NULL REFERENCES item(code),
    quantity        BIGINT NOT NULL,
    value_fen       BIGINT NOT NULL,
    received        BIGINT,
    shortfall_cause TEXT,
    shortfall_note  TEXT NOT NULL,
    PRIMARY KEY (waybill_id, position)
);

CREATE TABLE distribution (
    id                  BLOB PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    campaign_id         BLOB NOT NULL REFERENCES campaign(id),
    household_id        BLOB NOT NULL REFERENCES household(id),
    village_code        TEXT NOT NULL REFERENCES area(code),
    town_code           TEXT NOT NULL REFERENCES area(code),
    need_id             BLOB REFERENCES need(id),
    pledge_line_id      BLOB REFERENCES pledge_line(id),
    delivery_id         BLOB REFERENCES delivery(id),
    distributed_on      TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    proxy_name          TEXT NOT NULL,
    proxy_relationship  TEXT,
    handler             TEXT NOT NULL,
    signed_name         TEXT NOT NULL,
    note                TEXT NOT NULL,
    recorded_by         BLOB NOT NULL REFERENCES app_user(id),
    created_at          TEXT NOT NULL
);
CREATE INDEX distribution_campaign ON distribution(campaign_id, town_code, distributed_on);
CREATE INDEX distribution_household ON distribution(household_id);
CREATE INDEX distribution_village ON distribution(village_code);

CREATE TABLE distribution_line (
    distribution_id BLOB NOT NULL REFERENCES distribution(id),
    position        BIGINT NOT NULL,
    item_code       TEXT NOT NULL REFERENCES item(code),
    quantity        BIGINT NOT NULL,
    value_fen       BIGINT NOT NULL,
    PRIMARY KEY (distribution_id, position)
);

CREATE TABLE stock_adjustment (
    id              BLOB PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    campaign_id     BLOB NOT NULL REFERENCES campaign(id),
    station_code    TEXT NOT NULL REFERENCES area(code),
    item_code       TEXT NOT NULL REFERENCES item(code),
    direction       TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    cause           TEXT NOT NULL,
    note            TEXT NOT NULL,
    made_on         TEXT NOT NULL,
    status          TEXT NOT NULL,
    made_by         BLOB NOT NULL REFERENCES app_user(id),
    made_at         TEXT NOT NULL,
    checked_by      BLOB REFERENCES app_user(id),
    checked_at      TEXT,
    reject_reason   TEXT NOT NULL,
    value_fen       BIGINT NOT NULL
);
CREATE INDEX stock_adjustment_station ON stock_adjustment(station_code, status);

CREATE TABLE stock_count (
    id              BLOB PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    campaign_id     BLOB NOT NULL REFERENCES campaign(id),
    station_code    TEXT NOT NULL REFERENCES area(code),
    counted_on      TEXT NOT NULL,
    note            TEXT NOT NULL,
    status          TEXT NOT NULL,
    made_by         BLOB NOT NULL REFERENCES app_user(id),
    made_at         TEXT NOT NULL,
    checked_by      BLOB REFERENCES app_user(id),
    checked_at      TEXT,
    reject_reason   TEXT NOT NULL
);
CREATE INDEX stock_count_station ON stock_count(station_code, status);

CREATE TABLE stock_count_line (
    count_id        BLOB NOT NULL REFERENCES stock_count(id),
    position        BIGINT NOT NULL,
    item_code       TEXT NOT NULL REFERENCES item(code),
    book_quantity   BIGINT NOT NULL,
    counted         BIGINT NOT NULL,
    PRIMARY KEY (count_id, position)
);
