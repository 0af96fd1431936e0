-- Identity keys stored once (issue 6, import speed): each key was written to the table, its
-- primary key by household and a lookup index by key. Now the primary key is by key alone
-- (what blocking and an import's check look up), and a household's own keys are a blob in its
-- `identity_key_state` row (`keys`: per key, the pass's number as one byte and the key as 8
-- bytes little-endian), read to load the registry, to find a household's keys and to delete
-- them. As in 0021, the keys are dropped and their states cleared: the next identity run, or
-- import, computes them again. Mirrors ../sqlite/0026_identity_key_by_key.sql.

DROP INDEX identity_key_lookup;
DROP TABLE identity_key;
DELETE FROM identity_key_state;
ALTER TABLE identity_key_state ADD COLUMN keys BYTEA NOT NULL DEFAULT '';

CREATE TABLE identity_key (
    key          BIGINT NOT NULL,
    household_id UUID NOT NULL REFERENCES household(id),
    pass         BIGINT NOT NULL,
    PRIMARY KEY (key, household_id, pass)
);
