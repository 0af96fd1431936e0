-- Donations (捐赠) and purchases (采购): the papers behind the ledger's records. The money and
-- goods themselves live only in the ledger (0010_ledger.sql): a cash donation is one
-- `donation_cash` entry (`entry_seq`); goods are one `receipt` movement per line
-- (`donation_line.movement_seq`) and their `donation_in_kind` booking entry; a purchase is one
-- `purchase` movement per line and its `purchase` entry. Each record names its paper as
-- `source`. Rows are written once, in the transaction that posts their records.
--
-- `donor_kind` is `organization`, `person` or `anonymous`; `organization_id` is set for an
-- organization of the registry (its name is copied to `donor_name` as on the receipt), and
-- `public_name` says whether the donor agreed to be named in public. `designation` is the
-- ledger's text (`campaign`, `town:<code>`, `pledge:<uuid>`, `household:<uuid>`).
-- `station_code` is where goods were received (the county's code for its warehouse, a town's
-- for its station); purchases always have one. `verification_code` is printed on the
-- acknowledgement and opens the public page `/verify/<code>`; it is unique. A receipt number
-- (公益事业捐赠票据号) is recorded once; an invoice once per supplier.
-- Dates are ISO `YYYY-MM-DD` text. Mirrors ../postgres/0011_donations.sql.

CREATE TABLE donation (
    id                BLOB PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    campaign_id       BLOB NOT NULL REFERENCES campaign(id),
    kind              TEXT NOT NULL,
    donor_kind        TEXT NOT NULL,
    organization_id   BLOB REFERENCES organization(id),
    donor_name        TEXT NOT NULL,
    public_name       BOOLEAN NOT NULL,
    amount_fen        BIGINT NOT NULL,
    channel           TEXT,
    received_on       TEXT NOT NULL,
    receipt_number    TEXT UNIQUE,
    designation       TEXT NOT NULL,
    station_code      TEXT REFERENCES area(code),
    verification_code TEXT NOT NULL UNIQUE,
    entry_seq         BIGINT NOT NULL REFERENCES ledger_record(seq),
    note              TEXT NOT NULL,
    recorded_by       BLOB NOT NULL REFERENCES app_user(id),
    created_at        TEXT NOT NULL
);
CREATE INDEX donation_campaign ON donation(campaign_id);
CREATE INDEX donation_organization ON donation(organization_id);
CREATE INDEX donation_station ON donation(station_code);
CREATE INDEX donation_designation ON donation(designation);

CREATE TABLE donation_line (
    donation_id       BLOB NOT NULL REFERENCES donation(id),
    position          BIGINT NOT NULL,
    item_code         TEXT NOT NULL REFERENCES item(code),
    quantity          BIGINT NOT NULL,
    unit_value_fen    BIGINT NOT NULL,
    value_fen         BIGINT NOT NULL,
    item_condition    TEXT NOT NULL,
    movement_seq      BIGINT NOT NULL REFERENCES ledger_record(seq),
    PRIMARY KEY (donation_id, position)
);

CREATE TABLE purchase (
    id                BLOB PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    campaign_id       BLOB NOT NULL REFERENCES campaign(id),
    supplier          TEXT NOT NULL,
    invoice_number    TEXT NOT NULL,
    purchased_on      TEXT NOT NULL,
    station_code      TEXT NOT NULL REFERENCES area(code),
    designation       TEXT NOT NULL,
    amount_fen        BIGINT NOT NULL,
    entry_seq         BIGINT NOT NULL REFERENCES ledger_record(seq),
    note              TEXT NOT NULL,
    recorded_by       BLOB NOT NULL REFERENCES app_user(id),
    created_at        TEXT NOT NULL,
    UNIQUE (supplier, invoice_number)
);
CREATE INDEX purchase_campaign ON purchase(campaign_id);
CREATE INDEX purchase_station ON purchase(station_code);
CREATE INDEX purchase_designation ON purchase(designation);

CREATE TABLE purchase_line (
    purchase_id       BLOB NOT NULL REFERENCES purchase(id),
    position          BIGINT NOT NULL,
    item_code         TEXT NOT NULL REFERENCES item(code),
    quantity          BIGINT NOT NULL,
    unit_price_fen    BIGINT NOT NULL,
    value_fen         BIGINT NOT NULL,
    movement_seq      BIGINT NOT NULL REFERENCES ledger_record(seq),
    PRIMARY KEY (purchase_id, position)
);
