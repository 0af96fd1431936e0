-- The county whose bureau registered each organization (several counties can share one
-- deployment under their city and province): the registry, its exports and campaign enrolment
-- stay inside it. An organization without a row belongs to the whole deployment, as every
-- organization did before. The organizations already there are given the deployment's county
-- when it holds exactly one; otherwise the county that all of an organization's service areas
-- lie in, when there is one. Mirrors ../postgres/0020_organization_county.sql.

CREATE TABLE organization_county (
    organization_id  BLOB PRIMARY KEY REFERENCES organization(id),
    area_code        TEXT NOT NULL REFERENCES area(code)
);
CREATE INDEX organization_county_code ON organization_county(area_code);

INSERT INTO organization_county (organization_id, area_code)
SELECT o.id, (SELECT a.code FROM area a WHERE a.level = 'county')
FROM organization o
WHERE (SELECT COUNT(*) FROM area a WHERE a.level = 'county') = 1;

INSERT INTO organization_county (organization_id, area_code)
SELECT oa.organization_id, MIN(a.code)
FROM organization_area oa
JOIN area a ON a.code = substr(oa.area_code, 1, 6) || '000000' AND a.level = 'county'
WHERE (SELECT COUNT(*) FROM area c WHERE c.level = 'county') > 1
  AND NOT EXISTS (
      SELECT 1 FROM organization_area other
      WHERE other.organization_id = oa.organization_id
        AND substr(other.area_code, 1, 6) <> substr(oa.area_code, 1, 6)
  )
GROUP BY oa.organization_id;
