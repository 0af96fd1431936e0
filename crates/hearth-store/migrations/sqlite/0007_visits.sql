-- Follow-up visits (回访) under pairing pledges. Signing a pledge schedules one `visit_task` per
-- household and due day of each service line (hearth_core::visit::due_dates; `position` counts
-- the visits of a line for one household from 1). A `visit` is the follow-up record (回访记录):
-- day, method, visitor, received?, suitable?, satisfaction and new needs in words; it may answer
-- a task and may raise a need for the town's review (`raised_need_id`). A task is done when its
-- `visit_id` is set, by one conditional UPDATE (`... WHERE visit_id IS NULL`), and the unique
-- index on `visit.task_id` refuses a second record of the same task. A task's state (due,
-- overdue, done, cancelled with its pledge) is derived on the day asked, never stored. Rows
-- keep their household's village and town, their organization and campaign, so to-do lists and
-- scope queries need no join. `visit_task.visit_id` carries no foreign key because the two
-- tables point at each other. Dates (`due_on`, `visited_on`) are ISO `YYYY-MM-DD` text, as pledge
-- deadlines are.
-- Mirrors ../postgres/0007_visits.sql.

CREATE TABLE visit_task (
    id              BLOB PRIMARY KEY,
    pledge_id       BLOB NOT NULL REFERENCES pledge(id),
    line_id         BLOB NOT NULL REFERENCES pledge_line(id),
    household_id    BLOB NOT NULL REFERENCES household(id),
    organization_id BLOB NOT NULL REFERENCES organization(id),
    campaign_id     BLOB NOT NULL REFERENCES campaign(id),
    village_code    TEXT NOT NULL REFERENCES area(code),
    town_code       TEXT NOT NULL REFERENCES area(code),
    due_on          TEXT NOT NULL,
    position        BIGINT NOT NULL,
    visit_id        BLOB,
    done_at         TEXT
);
CREATE UNIQUE INDEX visit_task_slot ON visit_task(line_id, household_id, position);
CREATE INDEX visit_task_pledge ON visit_task(pledge_id);
CREATE INDEX visit_task_organization ON visit_task(organization_id, due_on);
CREATE INDEX visit_task_village ON visit_task(village_code, due_on);

CREATE TABLE visit (
    id              BLOB PRIMARY KEY,
    task_id         BLOB REFERENCES visit_task(id),
    pledge_id       BLOB NOT NULL REFERENCES pledge(id),
    household_id    BLOB NOT NULL REFERENCES household(id),
    organization_id BLOB NOT NULL REFERENCES organization(id),
    campaign_id     BLOB NOT NULL REFERENCES campaign(id),
    village_code    TEXT NOT NULL REFERENCES area(code),
    town_code       TEXT NOT NULL REFERENCES area(code),
    visited_on      TEXT NOT NULL,
    method          TEXT NOT NULL,
    visitor         TEXT NOT NULL,
    received        BOOLEAN NOT NULL,
    suitable        BOOLEAN NOT NULL,
    satisfaction    TEXT NOT NULL,
    new_needs       TEXT NOT NULL,
    note            TEXT NOT NULL,
    raised_need_id  BLOB REFERENCES need(id),
    recorded_by     BLOB NOT NULL REFERENCES app_user(id),
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX visit_task_once ON visit(task_id);
CREATE INDEX visit_pledge ON visit(pledge_id);
CREATE INDEX visit_organization ON visit(organization_id);
CREATE INDEX visit_household ON visit(household_id);
