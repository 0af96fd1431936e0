-- Identity keys made small (issue 6, import speed): the pass as its small number (hearth-engine
-- `Pass::code`) and the key as the first 64 bits of the HMAC instead of a pass name and 64 hex
-- characters, so the table and its lookup index are a fraction of the size an import writes.
-- The old keys are dropped and their states cleared: the next identity run, or import, computes
-- them again. Mirrors ../sqlite/0021_identity_key_compact.sql.

DROP INDEX identity_key_lookup;
DROP TABLE identity_key;
DELETE FROM identity_key_state;

CREATE TABLE identity_key (
    household_id UUID NOT NULL REFERENCES household(id),
    pass         BIGINT NOT NULL,
    key          BIGINT NOT NULL,
    PRIMARY KEY (household_id, pass)
);
CREATE INDEX identity_key_lookup ON identity_key(key);
