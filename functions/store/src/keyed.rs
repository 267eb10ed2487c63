//! Keys as a function of a record's fields: a record that implements [`Keyed`] carries no key
//! strings, and the item written for it gets its `pk`/`sk` and index keys from
//! [`Keyed::keys`], the one place they are computed. An update that changes a keyed field
//! (a reschedule moving the start, a hand-over moving the advisor) reads the new keys from the
//! same function. Reading ignores the key attributes an item holds (serde skips unknown ones).

use serde::Serialize;

use crate::attr::{s, to_item as fields_item, Item};
use crate::error::StoreError;

/// One index's keys of an item (`gsi1pk`/`gsi1sk`, or `gsi2pk`/`gsi2sk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKeys {
    pub pk: String,
    pub sk: String,
}

/// Every key attribute of an item. An index's keys are `None` when the item is not in it
/// (the indexes are sparse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub pk: String,
    pub sk: String,
    pub gsi1: Option<IndexKeys>,
    pub gsi2: Option<IndexKeys>,
}

impl Keys {
    pub fn new(pk: String, sk: impl Into<String>) -> Keys {
        Keys { pk, sk: sk.into(), gsi1: None, gsi2: None }
    }

    pub fn with_gsi1(mut self, pk: String, sk: String) -> Keys {
        self.gsi1 = Some(IndexKeys { pk, sk });
        self
    }

    pub fn with_gsi2(mut self, pk: String, sk: String) -> Keys {
        self.gsi2 = Some(IndexKeys { pk, sk });
        self
    }

    /// Adds these keys to `item`'s attributes.
    fn add_to(self, item: &mut Item) {
        item.insert("pk".to_owned(), s(self.pk));
        item.insert("sk".to_owned(), s(self.sk));
        for (name, keys) in [("gsi1", self.gsi1), ("gsi2", self.gsi2)] {
            if let Some(IndexKeys { pk, sk }) = keys {
                item.insert(format!("{name}pk"), s(pk));
                item.insert(format!("{name}sk"), s(sk));
            }
        }
    }
}

/// A record whose keys are a function of its fields.
pub trait Keyed: Serialize + Sized {
    fn keys(&self) -> Keys;

    /// The table key (`pk`, `sk`): what an update, a delete or a condition check names.
    fn key(&self) -> (String, String) {
        let Keys { pk, sk, .. } = self.keys();
        (pk, sk)
    }
    fn pk(&self) -> String {
        self.keys().pk
    }
    fn sk(&self) -> String {
        self.keys().sk
    }

    /// The item to write: the record's fields and its keys. (The plain
    /// [`crate::attr::to_item`] of a keyed record has no key and DynamoDB refuses it.)
    fn to_item(&self) -> Result<Item, StoreError> {
        let mut item = fields_item(self)?;
        self.keys().add_to(&mut item);
        Ok(item)
    }
}
