//! The Lambda boundary every HTTP and WebSocket function shares: the error type and its status
//! mapping, the caller from the authorizer's claims, access checks, JSON bodies with their
//! limit, pages, signed action links, typed configuration and telemetry.

pub mod access;
pub mod audit;
pub mod auth;
pub mod config;
pub mod deadline;
pub mod error;
pub mod http;
pub mod limits;
pub mod links;
mod refusal;
pub mod telemetry;

pub use error::ApiError;
