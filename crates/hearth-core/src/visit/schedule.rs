//! When the visits of a service line fall due, and what state a visit task is in on a day.

use chrono::{Days, Months, NaiveDate};

use super::TaskState;
use crate::pledge::{Every, Schedule};

/// The `k`-th visit after the first: `k × every` weeks or months after `starts_on`. Months are
/// counted from the first day each time, so a schedule from 31 January visits on 29 February
/// and then on 31 March (clamped to the month's end, never drifting). `None` past the calendar.
fn nth(schedule: &Schedule, k: u32) -> Option<NaiveDate> {
    let steps = k.checked_mul(schedule.every)?;
    match schedule.unit {
        Every::Week => schedule
            .starts_on
            .checked_add_days(Days::new(u64::from(steps) * 7)),
        Every::Month => schedule.starts_on.checked_add_months(Months::new(steps)),
    }
}

/// The days a service line's visits fall due: from `starts_on`, every `every` weeks or months,
/// at most `visits` of them and none after `ends_on`. A schedule whose period is too short for
/// all its visits gets those that fit (the letter names both, and the last day wins).
pub fn due_dates(schedule: &Schedule) -> Vec<NaiveDate> {
    let mut dates: Vec<NaiveDate> = Vec::new();
    for k in 0..schedule.visits {
        match nth(schedule, k) {
            // A zero interval repeats the first day: one visit, not several on the same day.
            Some(day) if day <= schedule.ends_on && dates.last().is_none_or(|last| *last < day) => {
                dates.push(day)
            }
            _ => break,
        }
    }
    dates
}

/// The state of a task on `today`: done once a visit is recorded; closed with its pledge when
/// the pledge was cancelled before the visit; otherwise due until its day and overdue after.
pub fn task_state(due_on: NaiveDate, done: bool, cancelled: bool, today: NaiveDate) -> TaskState {
    if done {
        TaskState::Done
    } else if cancelled {
        TaskState::Cancelled
    } else if today > due_on {
        TaskState::Overdue
    } else {
        TaskState::Due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn schedule(
        starts: NaiveDate,
        ends: NaiveDate,
        every: u32,
        unit: Every,
        visits: u32,
    ) -> Schedule {
        Schedule {
            starts_on: starts,
            ends_on: ends,
            every,
            unit,
            visits,
        }
    }

    #[test]
    fn a_visit_every_month_from_november_to_march() {
        let s = schedule(d(2024, 11, 15), d(2025, 3, 31), 1, Every::Month, 5);
        assert_eq!(
            due_dates(&s),
            [
                d(2024, 11, 15),
                d(2024, 12, 15),
                d(2025, 1, 15),
                d(2025, 2, 15),
                d(2025, 3, 15)
            ]
        );
    }

    #[test]
    fn months_clamp_to_the_month_end_without_drifting() {
        let s = schedule(d(2024, 1, 31), d(2024, 12, 31), 1, Every::Month, 4);
        assert_eq!(
            due_dates(&s),
            [
                d(2024, 1, 31),
                d(2024, 2, 29),
                d(2024, 3, 31),
                d(2024, 4, 30)
            ]
        );
    }

    #[test]
    fn weeks_and_a_period_too_short_for_every_visit() {
        let s = schedule(d(2024, 12, 2), d(2024, 12, 20), 1, Every::Week, 10);
        assert_eq!(
            due_dates(&s),
            [d(2024, 12, 2), d(2024, 12, 9), d(2024, 12, 16)]
        );
        let fortnight = schedule(d(2024, 12, 2), d(2025, 1, 31), 2, Every::Week, 3);
        assert_eq!(
            due_dates(&fortnight),
            [d(2024, 12, 2), d(2024, 12, 16), d(2024, 12, 30)]
        );
    }

    #[test]
    fn states_on_a_day() {
        let due = d(2025, 1, 15);
        assert_eq!(
            task_state(due, false, false, due),
            TaskState::Due,
            "the day itself is in time"
        );
        assert_eq!(
            task_state(due, false, false, d(2025, 1, 16)),
            TaskState::Overdue
        );
        assert_eq!(task_state(due, true, false, d(2025, 3, 1)), TaskState::Done);
        assert_eq!(
            task_state(due, true, true, d(2025, 3, 1)),
            TaskState::Done,
            "a visit made stays made"
        );
        assert_eq!(
            task_state(due, false, true, d(2025, 3, 1)),
            TaskState::Cancelled
        );
    }

    fn any_schedule() -> impl Strategy<Value = Schedule> {
        (
            0i64..3000,
            0i64..800,
            0u32..8,
            prop_oneof![Just(Every::Week), Just(Every::Month)],
            0u32..40,
        )
            .prop_map(|(start, length, every, unit, visits)| {
                let starts = d(2020, 1, 1) + chrono::Duration::days(start);
                schedule(
                    starts,
                    starts + chrono::Duration::days(length),
                    every,
                    unit,
                    visits,
                )
            })
    }

    proptest! {
        /// At most `visits` dates, all within the schedule's period, each later than the one
        /// before, and the first on the first day whenever any visit fits.
        #[test]
        fn due_dates_stay_within_the_schedule(s in any_schedule()) {
            let dates = due_dates(&s);
            prop_assert!(dates.len() <= s.visits as usize);
            prop_assert!(dates.iter().all(|day| s.starts_on <= *day && *day <= s.ends_on));
            prop_assert!(dates.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(dates.first().copied(), (s.visits > 0).then_some(s.starts_on));
        }

        /// The schedule is cut only by its last day: with room to spare, every visit is due.
        #[test]
        fn every_visit_is_due_when_the_period_is_long_enough(s in any_schedule()) {
            let roomy = Schedule { ends_on: s.starts_on + chrono::Duration::days(40 * 31 * 8), ..s };
            let expected = if s.every == 0 { usize::from(s.visits > 0) } else { s.visits as usize };
            prop_assert_eq!(due_dates(&roomy).len(), expected);
        }

        /// Done wins over everything; an open task is overdue exactly after its day.
        #[test]
        fn the_state_follows_the_facts(due in 0i64..100, today in 0i64..100, done: bool, cancelled: bool) {
            let (due, today) = (d(2025, 1, 1) + chrono::Duration::days(due), d(2025, 1, 1) + chrono::Duration::days(today));
            let state = task_state(due, done, cancelled, today);
            prop_assert_eq!(state == TaskState::Done, done);
            prop_assert_eq!(state == TaskState::Overdue, !done && !cancelled && today > due);
        }
    }
}
