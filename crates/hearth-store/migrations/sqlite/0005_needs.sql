-- The item catalogue (物资目录) and what households need in a campaign (需求), which the town
-- approves onto the organizations' claim sheet (认领表) and one organization at a time claims.
-- A need keeps its household's village and town so scope and claim-sheet queries need no join;
-- a household's village cannot change once it is approved, and only approved households get
-- needs. `claimed_by` is set by one conditional UPDATE (`... WHERE status = 'open'`), so two
-- organizations claiming at the same moment get one success and one refusal.
-- The seeded reference unit values are demo figures (演示数值), not purchase prices: replace them
-- with local prices.
-- Mirrors ../postgres/0005_needs.sql.

CREATE TABLE item (
    code                TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    name_en             TEXT NOT NULL,
    unit                TEXT NOT NULL,
    spec                TEXT NOT NULL,
    reference_value_fen BIGINT NOT NULL,
    active              BOOLEAN NOT NULL,
    position            BIGINT NOT NULL
);

INSERT INTO item (code, name, name_en, unit, spec, reference_value_fen, active, position) VALUES
    ('quilt', '棉被', 'Quilt', '床', '1.5×2米，4斤', 15000, TRUE, 1),
    ('cotton_coat', '棉衣', 'Padded coat', '件', '成人款', 12000, TRUE, 2),
    ('rice', '大米', 'Rice', '袋', '10公斤/袋', 6000, TRUE, 3),
    ('cooking_oil', '食用油', 'Cooking oil', '桶', '5升/桶', 7000, TRUE, 4),
    ('heater', '取暖器', 'Heater', '台', '2000瓦，带倾倒断电', 18000, TRUE, 5),
    ('electric_blanket', '电热毯', 'Electric blanket', '条', '双人，带温控', 9000, TRUE, 6),
    ('down_jacket', '羽绒服', 'Down jacket', '件', '成人款', 26000, TRUE, 7);

CREATE TABLE need (
    id              BLOB PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    campaign_id     BLOB NOT NULL REFERENCES campaign(id),
    household_id    BLOB NOT NULL REFERENCES household(id),
    village_code    TEXT NOT NULL REFERENCES area(code),
    town_code       TEXT NOT NULL REFERENCES area(code),
    kind            TEXT NOT NULL,
    item_code       TEXT REFERENCES item(code),
    quantity        BIGINT NOT NULL,
    cash_fen        BIGINT NOT NULL,
    service         TEXT,
    urgency         TEXT NOT NULL,
    urgency_rank    BIGINT NOT NULL,
    note            TEXT NOT NULL,
    status          TEXT NOT NULL,
    return_reason   TEXT NOT NULL,
    entered_by      BLOB NOT NULL REFERENCES app_user(id),
    reviewed_by     BLOB REFERENCES app_user(id),
    reviewed_at     TEXT,
    claimed_by      BLOB REFERENCES organization(id),
    claimed_by_user BLOB REFERENCES app_user(id),
    claimed_at      TEXT,
    fulfilled_at    TEXT,
    visited_at      TEXT,
    version         BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX need_campaign_status ON need(campaign_id, status);
CREATE INDEX need_village ON need(village_code);
CREATE INDEX need_household ON need(household_id);
CREATE INDEX need_claimed_by ON need(claimed_by);
