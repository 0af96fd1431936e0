-- Household search by part of a member's name (issue: a `LIKE '%name%'` scan of every member
-- took 1.5 s at 1,000,000 households). Every suffix of every member's name, in characters, with
-- its household: a name containing the query has a suffix starting with it, so the search is a
-- prefix range on the primary key. Collation "C" compares bytes, so that range holds exactly
-- the suffixes starting with the query, and `lower` under it folds ASCII letters only, as the
-- search folds its query. One row per suffix and household, whichever members share it;
-- src/households.rs keeps the table in step with `household_member`.
-- Mirrors ../sqlite/0022_member_name_suffix.sql.

CREATE TABLE member_name_suffix (
    suffix       TEXT COLLATE "C" NOT NULL,
    household_id UUID NOT NULL
);

-- Filled before its keys and index exist: building them once over the whole table is about
-- twice as fast as growing them row by row (a million households have millions of suffixes).
WITH RECURSIVE suffixes(suffix, household_id) AS (
    SELECT lower(name COLLATE "C"), household_id FROM household_member WHERE name <> ''
    UNION ALL
    SELECT substr(suffix, 2), household_id FROM suffixes WHERE length(suffix) > 1
)
INSERT INTO member_name_suffix (suffix, household_id)
SELECT DISTINCT suffix, household_id FROM suffixes;

ALTER TABLE member_name_suffix ADD PRIMARY KEY (suffix, household_id);
ALTER TABLE member_name_suffix ADD FOREIGN KEY (household_id) REFERENCES household(id);
CREATE INDEX member_name_suffix_household ON member_name_suffix(household_id);
