-- Attachments: files people upload (the scanned signed consent form of a household; later the
-- scanned pledge letter), kept inside the database so a backup carries them with the records.
-- Generic: `owner_type` + `owner_id` name the record a file belongs to (no foreign key, as the
-- owner may live in any table) and `purpose` says which document it is.
-- The file and its name are sealed (AES-256-GCM bound to the attachment and its owner; see
-- src/crypto.rs and src/attachments.rs): a scan shows signatures, names and often ID numbers.
-- Type, size and SHA-256 are of the original file; the type was detected from its first bytes.
-- Mirrors ../sqlite/0004_attachments.sql.

CREATE TABLE attachment (
    id           UUID PRIMARY KEY,
    owner_type   TEXT NOT NULL,
    owner_id     UUID NOT NULL,
    purpose      TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  UUID NOT NULL REFERENCES app_user(id),
    uploaded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachment_owner ON attachment(owner_type, owner_id);
