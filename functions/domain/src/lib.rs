//! The domain: pure rules and types, no AWS, no Lambda, no HTTP (this crate's dependencies make
//! the compiler enforce it). Raw strings from a request become these types at the boundary, or
//! the request is refused with [`Invalid`].

pub mod error;
pub mod follow_up;
pub mod interview;
pub mod journal;
pub mod meeting;
pub mod model;
pub mod sms;
pub mod time;

pub use error::Invalid;
pub use model::*;
