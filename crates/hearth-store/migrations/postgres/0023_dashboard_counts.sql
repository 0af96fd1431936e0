-- The dashboard counts approved households by village in the database (issue 10: with a
-- million households, reading them into the application took seconds and a gigabyte). This
-- index holds exactly what that count reads, for the households it counts, so the count walks
-- the index in order and never the table. Mirrors ../sqlite/0023_dashboard_counts.sql.

CREATE INDEX household_approved_place ON household(status, village_code, town_code)
    WHERE anonymised_at IS NULL;
