-- Spreadsheet imports (导入): one row per file imported (or only checked), with its counts and
-- the result report. The report holds the refused rows as they were sent (names, ID numbers),
-- so it is sealed like household profiles (AES-256-GCM bound to the batch; see src/crypto.rs).
-- Needs read from rows whose household is not approved yet wait in import_pending_need until
-- the officer records them from the import's result page.
-- Mirrors ../postgres/0014_imports.sql.

CREATE TABLE import_batch (
    id           BLOB PRIMARY KEY,
    kind         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    mode         TEXT NOT NULL,
    existing     TEXT NOT NULL,
    dry_run      BOOLEAN NOT NULL,
    committed    BOOLEAN NOT NULL,
    campaign_id  BLOB REFERENCES campaign(id),
    rows_read    BIGINT NOT NULL,
    accepted     BIGINT NOT NULL,
    rejected     BIGINT NOT NULL,
    duplicates   BIGINT NOT NULL,
    report       TEXT NOT NULL,
    area_code    TEXT REFERENCES area(code),
    imported_by  BLOB NOT NULL REFERENCES app_user(id),
    imported_at  TEXT NOT NULL
);
CREATE INDEX import_batch_imported_by ON import_batch(imported_by, imported_at);
CREATE INDEX import_batch_area ON import_batch(area_code);

CREATE TABLE import_pending_need (
    id           BLOB PRIMARY KEY,
    batch_id     BLOB NOT NULL REFERENCES import_batch(id),
    household_id BLOB NOT NULL REFERENCES household(id),
    campaign_id  BLOB NOT NULL REFERENCES campaign(id),
    item_code    TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    sheet_row    BIGINT NOT NULL,
    need_id      BLOB REFERENCES need(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX import_pending_need_batch ON import_pending_need(batch_id);
