//! Wire helpers: string enumerations that keep unknown values, and numbers the documentation
//! writes sometimes as JSON numbers and sometimes as strings.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string enumeration of the wire with a fallback variant `Other(String)`: a value the
/// documentation does not list (a new event type, a new status) is kept, never an error.
/// `aliases` are other spellings seen in the documentation's examples, read as the variant.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the documentation does not list, kept as sent.
            Other(String),
        }

        impl $name {
            /// The value as the wire spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(raw) => raw,
                }
            }

            /// Reads a wire value; anything unknown is `Other`.
            pub fn from_wire(raw: &str) -> $name {
                match raw {
                    $($wire $(| $alias)* => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Ok($name::from_wire(&raw))
            }
        }
    };
}
pub(crate) use wire_enum;

/// A number the documentation writes either way: `"SipResponseCode": "0"` in the `Hangup`
/// action, `486` in the `HANGUP` event; `"StartTimeInMilliseconds": "1641998241509"`;
/// `"DurationInMilliseconds": "3000"`. It is read from either form and written back in the form
/// it came in, so a documented example round-trips exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireNumber {
    /// Sent as a JSON number.
    Number(u64),
    /// Sent as a string (which may not hold a number: [`WireNumber::value`] is then `None`).
    Text(String),
}

impl WireNumber {
    /// The form the documentation's action examples use: a string.
    pub fn text(value: u64) -> WireNumber {
        WireNumber::Text(value.to_string())
    }

    /// The number, when there is one.
    pub fn value(&self) -> Option<u64> {
        match self {
            WireNumber::Number(n) => Some(*n),
            WireNumber::Text(raw) => raw.trim().parse().ok(),
        }
    }
}

impl Serialize for WireNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            WireNumber::Number(n) => serializer.serialize_u64(*n),
            WireNumber::Text(raw) => serializer.serialize_str(raw),
        }
    }
}

impl<'de> Deserialize<'de> for WireNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WireNumber, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(u64),
            Text(String),
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::Number(n) => WireNumber::Number(n),
            Either::Text(raw) => WireNumber::Text(raw),
        })
    }
}
