-- Identity resolution over the registry (issue 9): which households are one family registered
-- twice, and what a reviewer decided about each pair.
--
-- `identity_key`: the blind indexes identity resolution blocks on, one per household and pass
-- (`id`, `id_masked_0` … `id_masked_15`, `phone`, `name_village`, `pinyin_village`,
-- `pinyin_birth`; see hearth-engine `identity::Pass`). Each is HMAC-SHA256 of the pass's key
-- material under the blind-index key, so a household is found by its masked ID number or the
-- pinyin of its head's name without opening its sealed profile. `identity_key_state` says for
-- which household version and under which key the keys were computed: a household edited
-- since, or keys under a retired key, are computed again before the next run.
--
-- `identity_pair`: a candidate pair (`first_id` < `second_id` as text) with the score and the
-- per-field evidence (agreement levels only, no personal data) of the run that proposed it.
-- `status`: `open` (to review), `later`, `not_same` (remembered: never proposed again),
-- `merge_proposed` (maker `proposed_by`, waiting for a different user), `merged` (approved by
-- `approved_by`; both households and their history stay, the pair says they are one family).
-- Unmerging puts a merged pair back to `open`. Mirrors ../postgres/0015_identity.sql.

CREATE TABLE identity_key (
    household_id BLOB NOT NULL REFERENCES household(id),
    pass         TEXT NOT NULL,
    key          TEXT NOT NULL,
    PRIMARY KEY (household_id, pass)
);
CREATE INDEX identity_key_lookup ON identity_key(pass, key);

CREATE TABLE identity_key_state (
    household_id BLOB PRIMARY KEY REFERENCES household(id),
    version      BIGINT NOT NULL,
    key_id       TEXT NOT NULL
);

CREATE TABLE identity_pair (
    id           BLOB PRIMARY KEY,
    first_id     BLOB NOT NULL REFERENCES household(id),
    second_id    BLOB NOT NULL REFERENCES household(id),
    score_milli  BIGINT NOT NULL,
    evidence     TEXT NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL,
    proposed_by  BLOB REFERENCES app_user(id),
    proposed_at  TEXT,
    approved_by  BLOB REFERENCES app_user(id),
    decided_by   BLOB REFERENCES app_user(id),
    decided_at   TEXT,
    version      BIGINT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (first_id, second_id)
);
CREATE INDEX identity_pair_status ON identity_pair(status);
CREATE INDEX identity_pair_second ON identity_pair(second_id);
