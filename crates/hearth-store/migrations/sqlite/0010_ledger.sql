-- The ledger (资金与物资台账): entries and stock movements in one hash chain
-- (hearth_core::ledger::chain). `body` is the record as JSON (serde of `Record`) and is the
-- truth: `digest` is hex(sha256(previous digest ‖ canonical form)), so `hearth ledger verify`
-- recomputes the chain and replays every rule from `body` alone. The other columns copy a few
-- facts out of it for queries; dates are ISO `YYYY-MM-DD` text, locations `site:<code>` or
-- `transit:<waybill>`. Rows are never changed or removed (triggers below); a mistake is
-- corrected by a reversal. `ledger_head` names the last record and is locked while posting.
-- Mirrors ../postgres/0010_ledger.sql.

CREATE TABLE ledger_head (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    seq    BIGINT NOT NULL,
    digest TEXT NOT NULL
);
INSERT INTO ledger_head (id, seq, digest) VALUES (1, 0, '');

CREATE TABLE ledger_record (
    seq           BIGINT PRIMARY KEY,
    record_type   TEXT NOT NULL CHECK (record_type IN ('entry', 'movement')),
    kind          TEXT NOT NULL,
    campaign_id   BLOB NOT NULL REFERENCES campaign(id),
    booked_on     TEXT NOT NULL,
    item          TEXT,
    from_location TEXT,
    to_location   TEXT,
    quantity      BIGINT,
    amount_fen    BIGINT NOT NULL,
    household_id  BLOB,
    source_id     BLOB,
    reverses      BIGINT,
    body          TEXT NOT NULL,
    digest        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX ledger_record_campaign ON ledger_record(campaign_id, record_type, kind);
CREATE INDEX ledger_record_source ON ledger_record(source_id);
CREATE INDEX ledger_record_household ON ledger_record(household_id);

CREATE TRIGGER ledger_record_no_update BEFORE UPDATE ON ledger_record
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_record_no_delete BEFORE DELETE ON ledger_record
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
