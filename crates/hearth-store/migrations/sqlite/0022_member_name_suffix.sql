-- Household search by part of a member's name (issue: a `LIKE '%name%'` scan of every member
-- took 1.5 s at 1,000,000 households). Every suffix of every member's name, in characters, with
-- its household: a name containing the query has a suffix starting with it, so the search is a
-- prefix range on the primary key. Suffixes are stored with ASCII letters in lower case (the
-- search folds its query the same way), as `LIKE` compared them. One row per suffix and
-- household, whichever members share it; src/households.rs keeps the table in step with
-- `household_member`. Mirrors ../postgres/0022_member_name_suffix.sql.

CREATE TABLE member_name_suffix (
    suffix       TEXT NOT NULL,
    household_id BLOB NOT NULL REFERENCES household(id),
    PRIMARY KEY (suffix, household_id)
) WITHOUT ROWID;
CREATE INDEX member_name_suffix_household ON member_name_suffix(household_id);

WITH RECURSIVE suffixes(suffix, household_id) AS (
    SELECT lower(name), household_id FROM household_member WHERE name <> ''
    UNION ALL
    SELECT substr(suffix, 2), household_id FROM suffixes WHERE length(suffix) > 1
)
INSERT OR IGNORE INTO member_name_suffix (suffix, household_id)
SELECT suffix, household_id FROM suffixes ORDER BY suffix, household_id;
