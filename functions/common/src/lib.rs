//! Shared by every function: the domain (pure types and policies), the HTTP
//! boundary (caller identity, errors, JSON), DynamoDB access, email rendering,
//! configuration and telemetry.

pub mod auth;
pub mod calendar;
pub mod config;
pub mod contact;
pub mod domain;
pub mod email;
pub mod error;
pub mod http;
pub mod interview;
pub mod journal;
pub mod keys;
pub mod links;
pub mod store;
pub mod telemetry;
pub mod time;
pub mod tx;

pub use error::ApiError;
