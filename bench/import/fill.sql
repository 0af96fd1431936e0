-- The storage ceiling for the import benchmark: sqlite3 alone writes :rows households into
-- hearth's own tables and indexes, each household shaped as `hearth import households` writes
-- it (one household row, its head as a member, three name suffixes, an identity-key state and
-- thirteen identity keys: 34 B-tree inserts), with no file to read, nothing to check, seal or
-- hash. Values are random bytes of the real lengths; ids ascend as UUID v7 ids do.
-- Same settings as the import's bulk connection. Tables are filled one at a time, which is
-- kinder to the cache than the import's household-by-household writes: a lower bound.
--   sed s/:rows/1000000/ fill.sql | sqlite3 copy-of-hearth.db
-- (not `.parameter set`: the temp_store pragma empties the temp schema that holds parameters)
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -262144;
PRAGMA temp_store = MEMORY;
PRAGMA foreign_keys = OFF;

CREATE TEMP TABLE n (i INTEGER PRIMARY KEY, id BLOB NOT NULL, name TEXT NOT NULL);
CREATE TEMP TABLE place AS
    SELECT code AS village, parent_code AS town FROM area WHERE level = 'village' LIMIT 1;
CREATE TEMP TABLE officer AS SELECT id FROM app_user LIMIT 1;

BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < :rows)
INSERT INTO n
SELECT i, CAST(printf('%08d', i) AS BLOB) || randomblob(8),
       substr('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗', 1 + abs(random()) % 20, 1)
       || substr('青山林生松柏梅兰竹菊春秋冬雪云峰海波明华', 1 + abs(random()) % 20, 1)
       || substr('青山林生松柏梅兰竹菊春秋冬雪云峰海波明华', 1 + abs(random()) % 20, 1)
FROM c;

INSERT INTO household (id, village_code, town_code, status, head_name, head_id_masked, address,
    phone_index, phone_last4, main_category, categories, shares_with_orgs, member_count, score,
    sealed, entered_by, return_reason, retain_until, version, created_at, updated_at)
SELECT n.id, place.village, place.town, 'draft', n.name, '340123********' || printf('%04d', i % 10000),
    '', hex(randomblob(32)), printf('%04d', i % 10000), 'dibao', '["dibao"]', 0, 1, 30,
    hex(randomblob(441)), officer.id, '', '2029-12-02', 1,
    '2026-12-01T18:58:37.524003+00:00', '2026-12-01T18:58:37.524003+00:00'
FROM n, place, officer;

INSERT INTO household_member (id, household_id, position, name, relation, id_index, id_last4, sex,
    birth_year)
SELECT CAST(printf('%08d', i) AS BLOB) || randomblob(8), n.id, 0, n.name, 'head',
    hex(randomblob(32)), printf('%04d', abs(random()) % 10000), 'male', 1940 + i % 60
FROM n;

INSERT INTO member_name_suffix (suffix, household_id)
SELECT substr(n.name, k.at), n.id FROM n, (SELECT 1 AS at UNION ALL SELECT 2 UNION ALL SELECT 3) k;

INSERT INTO identity_key_state (household_id, version, key_id, keys)
SELECT n.id, 1, 'k20261201185833', randomblob(117) FROM n;

WITH pass(p) AS (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13))
INSERT INTO identity_key (key, household_id, pass)
SELECT random(), n.id, pass.p FROM n, pass;
COMMIT;
