-- Identity keys made small (issue 6, import speed): a household has about twenty blocking keys,
-- and as 64-character hex strings beside a text pass name, stored in the table, its primary key
-- and a lookup index, they were most of an import's writes. Now the pass is its small number
-- (hearth-engine `Pass::code`) and the key the first 64 bits of the HMAC (each pass has its own
-- HMAC domain, so the key alone finds it; a collision costs one comparison). The table is
-- clustered by household (ids are time-ordered, so new households append) and only the lookup
-- index takes random writes. The old keys are dropped and their states cleared: the next
-- identity run, or import, computes them again. Mirrors ../postgres/0021_identity_key_compact.sql.

DROP INDEX identity_key_lookup;
DROP TABLE identity_key;
DELETE FROM identity_key_state;

CREATE TABLE identity_key (
    household_id BLOB NOT NULL REFERENCES household(id),
    pass         INTEGER NOT NULL,
    key          INTEGER NOT NULL,
    PRIMARY KEY (household_id, pass)
) WITHOUT ROWID;
CREATE INDEX identity_key_lookup ON identity_key(key);
