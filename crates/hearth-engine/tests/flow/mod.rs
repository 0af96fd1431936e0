//! Min-cost flow: solver against references, DIMACS, certificates.

mod dimacs;
mod generated;
mod model;
mod reference;
mod review;
mod solver;
