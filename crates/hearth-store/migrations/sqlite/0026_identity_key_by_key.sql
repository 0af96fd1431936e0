-- Identity keys stored once (issue 6, import speed): clustered by household with a lookup
-- index by key, every key of an imported household was two B-tree inserts, 26 of the ~47 a
-- household costs, and SQLite's write pass was bound by them. Now `identity_key` is clustered by
-- key alone (what blocking and an import's check look up), and a household's own keys are
-- a blob in its `identity_key_state` row (`keys`: per key, the pass's number as one byte and
-- the key as 8 bytes little-endian), read to load the registry, to find a household's keys and
-- to delete them. As in 0021, the keys are dropped and their states cleared: the next identity
-- run, or import, computes them again. Mirrors ../postgres/0026_identity_key_by_key.sql.

DROP INDEX identity_key_lookup;
DROP TABLE identity_key;
DELETE FROM identity_key_state;
ALTER TABLE identity_key_state ADD COLUMN keys BLOB NOT NULL DEFAULT x'';

CREATE TABLE identity_key (
    key          INTEGER NOT NULL,
    household_id BLOB NOT NULL REFERENCES household(id),
    pass         INTEGER NOT NULL,
    PRIMARY KEY (key, household_id, pass)
) WITHOUT ROWID;
