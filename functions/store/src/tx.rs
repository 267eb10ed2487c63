//! Items of a `TransactWriteItems`, built without the table name:
//! [`crate::client::Store::transact`] sets it on every item, so call sites
//! stay about keys and conditions.

use aws_sdk_dynamodb::types::builders::{ConditionCheckBuilder, DeleteBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use crate::attr::{s, Item};

/// How a `TransactWriteItems` ended.
#[derive(Debug)]
pub enum TransactOutcome {
    Committed,
    /// Cancelled: one reason code per item, in order (`None` for items that were fine).
    Cancelled(Vec<Option<String>>),
}

impl TransactOutcome {
    pub(crate) fn reason_is(&self, index: usize, code: &str) -> bool {
        match self {
            TransactOutcome::Committed => false,
            TransactOutcome::Cancelled(reasons) => reasons.get(index).and_then(|r| r.as_deref()) == Some(code),
        }
    }
    /// A concurrent transaction touched the same items: retry after a pause.
    pub fn conflicted(&self) -> bool {
        match self {
            TransactOutcome::Committed => false,
            TransactOutcome::Cancelled(reasons) => {
                reasons.iter().flatten().any(|reason| crate::aws_error::is_retried_cancellation(reason))
            }
        }
    }
}

/// Filled by `Store::transact`.
const TABLE_PLACEHOLDER: &str = "";

pub fn put(item: Item, condition: Option<&str>) -> TransactWriteItem {
    TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(TABLE_PLACEHOLDER)
                .set_item(Some(item))
                .set_condition_expression(condition.map(str::to_owned))
                .build()
                .expect("a put with a table and an item is complete"),
        )
        .build()
}

/// An update of `pk`/`sk`; `build` adds the expressions.
pub fn update(pk: String, sk: &str, build: impl FnOnce(UpdateBuilder) -> UpdateBuilder) -> TransactWriteItem {
    let base = Update::builder().table_name(TABLE_PLACEHOLDER).key("pk", s(pk)).key("sk", s(sk));
    TransactWriteItem::builder()
        .update(build(base).build().expect("an update with a key and an expression is complete"))
        .build()
}

pub fn delete(pk: String, sk: &str, condition: Option<&str>) -> TransactWriteItem {
    TransactWriteItem::builder()
        .delete(
            Delete::builder()
                .table_name(TABLE_PLACEHOLDER)
                .key("pk", s(pk))
                .key("sk", s(sk))
                .set_condition_expression(condition.map(str::to_owned))
                .build()
                .expect("a delete with a key is complete"),
        )
        .build()
}

/// A delete whose condition needs expression names or values.
pub fn delete_with(pk: String, sk: &str, build: impl FnOnce(DeleteBuilder) -> DeleteBuilder) -> TransactWriteItem {
    let base = Delete::builder().table_name(TABLE_PLACEHOLDER).key("pk", s(pk)).key("sk", s(sk));
    TransactWriteItem::builder().delete(build(base).build().expect("a delete with a key is complete")).build()
}

/// A condition on an item the transaction does not write; `build` adds the expression.
pub fn check(
    pk: String,
    sk: &str,
    build: impl FnOnce(ConditionCheckBuilder) -> ConditionCheckBuilder,
) -> TransactWriteItem {
    let base = ConditionCheck::builder().table_name(TABLE_PLACEHOLDER).key("pk", s(pk)).key("sk", s(sk));
    TransactWriteItem::builder()
        .condition_check(build(base).build().expect("a condition check with a key and an expression is complete"))
        .build()
}

/// Sets the table name on every item.
pub fn with_table(table: &str, items: Vec<TransactWriteItem>) -> Vec<TransactWriteItem> {
    items
        .into_iter()
        .map(|mut item| {
            if let Some(put) = item.put.as_mut() {
                put.table_name = table.to_owned();
            }
            if let Some(update) = item.update.as_mut() {
                update.table_name = table.to_owned();
            }
            if let Some(delete) = item.delete.as_mut() {
                delete.table_name = table.to_owned();
            }
            if let Some(check) = item.condition_check.as_mut() {
                check.table_name = table.to_owned();
            }
            item
        })
        .collect()
}

pub use crate::retry::backoff;

/// The items of one `TransactWriteItems`. Each push returns a handle, so that after a
/// cancellation the code asks "did the slot's claim fail?" by name, not by position.
#[derive(Debug, Default)]
pub struct Tx {
    items: Vec<TransactWriteItem>,
}

/// One item pushed on a [`Tx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held(usize);

/// Several items pushed together (the granules of an interview, say).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeldMany(std::ops::Range<usize>);

impl Tx {
    pub fn new() -> Tx {
        Tx::default()
    }

    pub fn push(&mut self, item: TransactWriteItem) -> Held {
        self.items.push(item);
        Held(self.items.len() - 1)
    }

    pub fn push_all(&mut self, items: impl IntoIterator<Item = TransactWriteItem>) -> HeldMany {
        let start = self.items.len();
        self.items.extend(items);
        HeldMany(start..self.items.len())
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn into_items(self) -> Vec<TransactWriteItem> {
        self.items
    }
}

impl From<Vec<TransactWriteItem>> for Tx {
    fn from(items: Vec<TransactWriteItem>) -> Tx {
        Tx { items }
    }
}

impl TransactOutcome {
    /// Whether `held`'s condition failed.
    pub fn failed(&self, held: Held) -> bool {
        self.reason_is(held.0, "ConditionalCheckFailed")
    }

    /// Whether the condition of any of `held` failed.
    pub fn any_failed(&self, held: &HeldMany) -> bool {
        held.0.clone().any(|i| self.reason_is(i, "ConditionalCheckFailed"))
    }
}

/// The condition every write about a seeker carries: their profile exists and is not erased.
/// In the write's own transaction, so an erasure that commits first makes the write fail
/// (and a write that commits first is swept by the erasure's last pass).
pub fn seeker_not_erased(seeker_id: &str) -> TransactWriteItem {
    check(crate::keys::seeker_pk(seeker_id), crate::keys::PROFILE, |c| {
        c.condition_expression("attribute_exists(pk) AND erased = :false")
            .expression_attribute_values(":false", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
    })
}
