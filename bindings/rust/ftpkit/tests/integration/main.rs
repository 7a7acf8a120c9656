//! Integration tests of the `ftpkit` crate against real servers started
//! on 127.0.0.1 by the tests (see `common`).

mod common;

mod big;
mod callbacks;
mod children;
mod commands;
mod errors;
mod listings;
mod static_checks;
mod tls;
mod transfers;
