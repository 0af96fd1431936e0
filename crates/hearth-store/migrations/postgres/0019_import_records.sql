-- Imports of every kind: import_record remembers which file row became which record (a
-- donation's fingerprint and its number), so importing the same file again records nothing
-- twice; import_subject lists the blind indexes of the ID numbers a batch's sealed report
-- holds, so purging a household can find and clear the reports that still name it.
-- Mirrors ../sqlite/0019_import_records.sql.

CREATE TABLE import_record (
    kind         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    record       TEXT NOT NULL,
    batch_id     UUID NOT NULL REFERENCES import_batch(id),
    PRIMARY KEY (kind, fingerprint)
);

CREATE TABLE import_subject (
    batch_id     UUID NOT NULL REFERENCES import_batch(id),
    id_index     TEXT NOT NULL,
    PRIMARY KEY (batch_id, id_index)
);
CREATE INDEX import_subject_index ON import_subject(id_index);
