//! DIMACS reading and writing: round trips, and errors that name the line.

use hearth_engine::flow::dimacs::{self, Reason};
use hearth_engine::flow::generate::{NetgenParams, netgen};
use hearth_engine::flow::{Arc, solve};

const SMALL: &str = "c two supplies, one demand\n\
p min 3 3\n\
n 1 4\n\
n 2 1\n\
n 3 -5\n\
a 1 3 0 4 7\n\
a 2 3 0 9 1\n\
a 1 2 1 5 2\n";

#[test]
fn reads_a_small_instance_and_solves_it() {
    let net = dimacs::parse(SMALL.as_bytes()).unwrap();
    assert_eq!(net.supplies(), &[4, 1, -5]);
    assert_eq!(
        net.arcs()[2],
        Arc {
            tail: 0,
            head: 1,
            lower: 1,
            capacity: 5,
            cost: 2
        }
    );
    // 4 units go 1 → 2 → 3 at 3 each, 1 unit 2 → 3 at 1.
    assert_eq!(solve(&net).unwrap().objective, 13);
}

#[test]
fn write_then_read_gives_the_same_network() {
    let params = NetgenParams {
        seed: 7,
        nodes: 60,
        sources: 6,
        sinks: 6,
        arcs: 300,
        cost: (-5, 100),
        capacity: (0, 40),
        supply: 200,
    };
    let net = netgen(&params);
    let mut text = Vec::new();
    dimacs::write(&net, "netgen seed 7\nsecond line", &mut text).unwrap();
    assert!(text.starts_with(b"c netgen seed 7\nc second line\np min 60 "));
    assert_eq!(dimacs::parse(&text).unwrap(), net);
}

fn error_of(text: &str) -> (usize, Reason, String) {
    let error = dimacs::parse(text.as_bytes()).unwrap_err();
    let message = error.to_string();
    (error.line, error.reason, message)
}

#[test]
fn errors_name_the_line_and_the_field() {
    let (line, reason, message) = error_of("p min 2 1\nn 1 3\na 1 2 0 3 x7\n");
    assert_eq!(line, 3);
    assert_eq!(
        reason,
        Reason::NotNumber {
            field: "cost",
            found: "x7".into()
        }
    );
    assert_eq!(
        message,
        "line 3: cost `x7` is not a whole number within ±2^63"
    );

    let (line, reason, _) = error_of("c\na 1 2 0 3 1\n");
    assert_eq!((line, reason), (2, Reason::MissingProblem));

    let (line, reason, _) = error_of("p min 2 1\na 1 3 0 3 1\n");
    assert_eq!((line, reason), (2, Reason::NodeRange { node: 3, nodes: 2 }));

    let (line, reason, _) = error_of("p min 2 1\na 1 2 4 3 1\n");
    assert_eq!(
        (line, reason),
        (
            2,
            Reason::Bounds {
                lower: 4,
                capacity: 3
            }
        )
    );

    let (line, reason, _) = error_of("p min 2 1\na 1 2 0 3\n");
    assert_eq!((line, reason), (2, Reason::Missing { field: "cost" }));

    let (line, reason, _) = error_of("p min 2 1\nn 1 2\nn 1 3\n");
    assert_eq!((line, reason), (3, Reason::DuplicateNode(1)));

    let (line, reason, _) = error_of("p max 2 1\n");
    assert_eq!((line, reason), (1, Reason::NotMin("max".into())));

    let (line, reason, _) = error_of("p min 2 2\na 1 2 0 3 1\n");
    assert_eq!(
        (line, reason),
        (
            3,
            Reason::ArcCount {
                declared: 2,
                found: 1
            }
        )
    );

    let (line, reason, _) = error_of("p min 2 0\nx 1\n");
    assert_eq!((line, reason), (2, Reason::UnknownLine("x".into())));

    let (line, reason, _) = error_of("p min 2 0\nn 1 99999999999999999999\n");
    assert_eq!(line, 2);
    assert!(matches!(
        reason,
        Reason::NotNumber {
            field: "supply",
            ..
        }
    ));

    let (line, reason, _) = error_of("p min 2 0 9\n");
    assert_eq!((line, reason), (1, Reason::Extra("9".into())));

    assert_eq!(error_of("").1, Reason::Empty);
}

#[test]
fn windows_line_endings_are_read() {
    let net = dimacs::parse(SMALL.replace('\n', "\r\n").as_bytes()).unwrap();
    assert_eq!(net.arc_count(), 3);
}
