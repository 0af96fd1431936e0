//! The DIMACS min-cost-flow format (1-based node numbers):
//!
//! ```text
//! c a comment
//! p min NODES ARCS
//! n NODE SUPPLY          (positive: supply, negative: demand; absent: 0)
//! a TAIL HEAD LOW CAP COST
//! ```
//!
//! Errors name the line and what is wrong with it.

use std::io::{self, Write};

use thiserror::Error;

use super::network::{Arc, Network, NetworkError};

#[derive(Debug, Error, PartialEq, Eq)]
#[error("line {line}: {reason}")]
pub struct DimacsError {
    pub line: usize,
    pub reason: Reason,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum Reason {
    #[error("expected the problem line `p min NODES ARCS` before any node or arc")]
    MissingProblem,
    #[error("a second problem line")]
    DuplicateProblem,
    #[error("the problem is `{0}`, only `min` (min-cost flow) is supported")]
    NotMin(String),
    #[error("{field} is missing")]
    Missing { field: &'static str },
    #[error("{field} `{found}` is not a whole number within ±2^63")]
    NotNumber { field: &'static str, found: String },
    #[error("unexpected `{0}` after the last field")]
    Extra(String),
    #[error("unknown line type `{0}` (expected c, p, n or a)")]
    UnknownLine(String),
    #[error("node {node} is outside 1..={nodes}")]
    NodeRange { node: i64, nodes: usize },
    #[error("node {0} has a second supply line")]
    DuplicateNode(i64),
    #[error("the problem line declares {declared} arcs but {found} follow")]
    ArcCount { declared: usize, found: usize },
    #[error("lower bound {lower} must be between 0 and the capacity {capacity}")]
    Bounds { lower: i64, capacity: i64 },
    #[error("{0}")]
    Network(NetworkError),
    #[error("the file is empty: no problem line")]
    Empty,
}

/// Reads a network from the bytes of a DIMACS file.
pub fn parse(text: &[u8]) -> Result<Network, DimacsError> {
    let mut reader = Reader::default();
    let mut line_number = 0;
    for (index, raw) in text.split(|&b| b == b'\n').enumerate() {
        line_number = index + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        reader.line(line).map_err(|reason| DimacsError {
            line: line_number,
            reason,
        })?;
    }
    reader.finish().map_err(|reason| DimacsError {
        line: line_number,
        reason,
    })
}

#[derive(Default)]
struct Reader {
    network: Option<Network>,
    declared_arcs: usize,
    supplied: Vec<bool>,
}

impl Reader {
    fn line(&mut self, line: &[u8]) -> Result<(), Reason> {
        let mut fields = Fields(line.split(is_space as fn(&u8) -> bool).filter(non_empty));
        match fields.0.next() {
            None | Some(b"c") => Ok(()),
            Some(b"p") => self.problem(&mut fields),
            Some(b"n") => self.supply(&mut fields),
            Some(b"a") => self.arc(&mut fields),
            Some(other) => Err(Reason::UnknownLine(
                String::from_utf8_lossy(other).into_owned(),
            )),
        }
    }

    fn problem(&mut self, fields: &mut Fields<'_>) -> Result<(), Reason> {
        if self.network.is_some() {
            return Err(Reason::DuplicateProblem);
        }
        let kind = fields.0.next().ok_or(Reason::Missing {
            field: "problem type",
        })?;
        if kind != b"min" {
            return Err(Reason::NotMin(String::from_utf8_lossy(kind).into_owned()));
        }
        let nodes = fields.count("node count")?;
        let arcs = fields.count("arc count")?;
        fields.end()?;
        let mut network = Network::new(nodes).map_err(Reason::Network)?;
        network.reserve_arcs(arcs);
        self.network = Some(network);
        self.declared_arcs = arcs;
        self.supplied = vec![false; nodes];
        Ok(())
    }

    fn supply(&mut self, fields: &mut Fields<'_>) -> Result<(), Reason> {
        let network = self.network.as_mut().ok_or(Reason::MissingProblem)?;
        let node = node(fields, "node", network.node_count())?;
        let supply = fields.number("supply")?;
        fields.end()?;
        if std::mem::replace(&mut self.supplied[node as usize], true) {
            return Err(Reason::DuplicateNode(i64::from(node) + 1));
        }
        network.set_supply(node, supply).map_err(Reason::Network)
    }

    fn arc(&mut self, fields: &mut Fields<'_>) -> Result<(), Reason> {
        let network = self.network.as_mut().ok_or(Reason::MissingProblem)?;
        let nodes = network.node_count();
        let tail = node(fields, "tail node", nodes)?;
        let head = node(fields, "head node", nodes)?;
        let lower = fields.number("lower bound")?;
        let capacity = fields.number("capacity")?;
        let cost = fields.number("cost")?;
        fields.end()?;
        if lower < 0 || lower > capacity {
            return Err(Reason::Bounds { lower, capacity });
        }
        network
            .add_arc(Arc {
                tail,
                head,
                lower,
                capacity,
                cost,
            })
            .map(|_| ())
            .map_err(Reason::Network)
    }

    fn finish(self) -> Result<Network, Reason> {
        let network = self.network.ok_or(Reason::Empty)?;
        if network.arc_count() != self.declared_arcs {
            let (declared, found) = (self.declared_arcs, network.arc_count());
            return Err(Reason::ArcCount { declared, found });
        }
        Ok(network)
    }
}

fn is_space(b: &u8) -> bool {
    b.is_ascii_whitespace()
}

fn non_empty(field: &&[u8]) -> bool {
    !field.is_empty()
}

/// A 1-based node number, returned 0-based.
fn node(fields: &mut Fields<'_>, field: &'static str, nodes: usize) -> Result<u32, Reason> {
    let node = fields.number(field)?;
    if node < 1 || node as u64 > nodes as u64 {
        return Err(Reason::NodeRange { node, nodes });
    }
    Ok((node - 1) as u32)
}

type Split<'a> = std::slice::Split<'a, u8, fn(&u8) -> bool>;

struct Fields<'a>(std::iter::Filter<Split<'a>, fn(&&[u8]) -> bool>);

impl Fields<'_> {
    fn number(&mut self, field: &'static str) -> Result<i64, Reason> {
        let text = self.0.next().ok_or(Reason::Missing { field })?;
        parse_i64(text).ok_or_else(|| Reason::NotNumber {
            field,
            found: String::from_utf8_lossy(text).into_owned(),
        })
    }

    fn count(&mut self, field: &'static str) -> Result<usize, Reason> {
        let n = self.number(field)?;
        usize::try_from(n).map_err(|_| Reason::NotNumber {
            field,
            found: n.to_string(),
        })
    }

    fn end(&mut self) -> Result<(), Reason> {
        match self.0.next() {
            None => Ok(()),
            Some(extra) => Err(Reason::Extra(String::from_utf8_lossy(extra).into_owned())),
        }
    }
}

fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(d - b'0');
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(digit)?
        } else {
            value.checked_add(digit)?
        };
    }
    Some(value)
}

/// Writes a network in DIMACS form; `comment` lines come first.
pub fn write(network: &Network, comment: &str, out: &mut impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    for line in comment.lines() {
        writeln!(out, "c {line}")?;
    }
    writeln!(
        out,
        "p min {} {}",
        network.node_count(),
        network.arc_count()
    )?;
    for (node, &supply) in network.supplies().iter().enumerate() {
        if supply != 0 {
            writeln!(out, "n {} {supply}", node + 1)?;
        }
    }
    for arc in network.arcs() {
        let (tail, head) = (arc.tail as u64 + 1, arc.head as u64 + 1);
        writeln!(
            out,
            "a {tail} {head} {} {} {}",
            arc.lower, arc.capacity, arc.cost
        )?;
    }
    out.flush()
}
