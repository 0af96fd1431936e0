-- The running number of each series of a campaign's papers (needs, pledges, deliveries, …),
-- kept instead of counting the papers for every new one (issue 10: the count under the write
-- lock grew with every delivery). A missing row starts at the papers already stored
-- (src/numbers.rs). Mirrors ../postgres/0024_paper_counters.sql.

CREATE TABLE paper_counter (
    campaign_id BLOB NOT NULL REFERENCES campaign(id),
    series      TEXT NOT NULL,
    last        BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, series)
);
