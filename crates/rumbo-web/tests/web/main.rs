//! The web server's integration tests: one binary, real HTTP on 127.0.0.1, a fresh database per
//! test (SQLite by default; PostgreSQL when RUMBO_TEST_POSTGRES_URL is set). Each module tests
//! one area; `helpers::spawn_app` starts a server with a user of every role.

mod helpers;

mod access;
mod audit;
mod deduplication;
mod deduplication_runs;
mod flow;
mod geography;
mod linkage_keys;
mod locations;
mod organisations;
mod r4v;
mod registration;
mod sessions;
mod users;
