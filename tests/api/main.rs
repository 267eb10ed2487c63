//! The end-to-end suites that share one local stack (`make run` or `infra/local/test.sh`), in one
//! test binary: linking the product once instead of once per area is what keeps the build short
//! on a small machine. One module per area; a filter keeps selecting one area, e.g.
//! `cargo test -p integration-tests --test api -- booking::`.
//!
//! Every test runs concurrently with every other area's tests here, so each makes its own
//! people (and uses a region reserved in `integration_tests::regions` when its assertions need
//! one alone); the fixtures they share are in `tests/support`. `faults` is a binary of its own:
//! it starts private stacks.

mod authorization;
mod booking;
mod calls;
mod chat;
mod deadlines;
mod email;
mod links;
mod meetings;
mod privacy;
mod registration;
mod reminders;
mod sms;
