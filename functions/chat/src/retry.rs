//! Retrying after a transaction conflict (two writers on one conversation).

pub use store::tx::backoff;
