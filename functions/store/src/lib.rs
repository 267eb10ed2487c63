//! The DynamoDB adapter: the client and table, error classification, typed item reads,
//! transactions and their items, queries and pages, keys, and the records every function
//! reads and writes. Nothing here knows HTTP or who the caller is.

pub mod attr;
pub mod audit;
pub mod aws_error;
pub mod batch;
pub mod client;
pub mod contact;
pub mod deadline;
pub mod email_params;
pub mod email_template;
pub mod error;
pub mod interview;
pub mod interview_email;
pub mod journal;
pub mod keyed;
pub mod keys;
pub mod outbox;
pub mod page;
pub mod query;
pub mod rate;
pub mod records;
pub mod retention;
pub mod retry;
pub mod sms;
pub mod tx;

pub use attr::*;
pub use aws_error::is_conditional_check_failed;
pub use client::*;
pub use error::{sdk_error, StoreError};
pub use keyed::{IndexKeys, Keyed, Keys};
pub use page::Page;
pub use query::{Index, Query};
pub use records::*;
pub use retry::{transact_retrying, Retrying, Step};
pub use tx::{Held, HeldMany, TransactOutcome, Tx};
