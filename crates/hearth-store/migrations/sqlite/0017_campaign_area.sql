-- The area that runs each campaign: the county whose bureau created it (several counties can
-- share one deployment under their city and province). A campaign without a row belongs to the
-- whole deployment, as every campaign did before; the campaigns already there are given the
-- deployment's county when it holds exactly one. Mirrors ../postgres/0017_campaign_area.sql.

CREATE TABLE campaign_area (
    campaign_id  BLOB PRIMARY KEY REFERENCES campaign(id),
    area_code    TEXT NOT NULL REFERENCES area(code)
);
CREATE INDEX campaign_area_code ON campaign_area(area_code);

INSERT INTO campaign_area (campaign_id, area_code)
SELECT c.id, (SELECT a.code FROM area a WHERE a.level = 'county')
FROM campaign c
WHERE (SELECT COUNT(*) FROM area a WHERE a.level = 'county') = 1;
