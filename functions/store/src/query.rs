//! Key-designed queries on the table or one of its indexes: a partition, optionally narrowed on
//! the sort key, read a page at a time (for lists), whole (for jobs) or counted. No `Scan`.

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use serde::de::DeserializeOwned;

use crate::attr::{from_item, s, Item};
use crate::client::{call_config, query_all, Store};
use crate::error::sdk_error;
use crate::error::StoreError;
use crate::keys;
use crate::page::{encode_list_cursor, Page};

/// Where a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Table,
    Gsi1,
    Gsi2,
}

impl Index {
    fn name(self) -> Option<&'static str> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some(keys::GSI1),
            Index::Gsi2 => Some(keys::GSI2),
        }
    }
    /// The partition and sort key attributes.
    fn key_attributes(self) -> (&'static str, &'static str) {
        match self {
            Index::Table => ("pk", "sk"),
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
            Index::Gsi2 => ("gsi2pk", "gsi2sk"),
        }
    }
}

#[derive(Debug, Clone)]
enum SortKey {
    Any,
    Prefix(String),
    /// Both bounds inclusive.
    Between(String, String),
    Before(String),
}

/// A query being described; nothing is sent until `page`, `all` or `count`.
#[derive(Debug, Clone)]
pub struct Query<'s> {
    store: &'s Store,
    index: Index,
    partition: String,
    sort: SortKey,
    filter_equals: Option<(String, AttributeValue)>,
    ascending: bool,
    consistent: bool,
    /// The lower bound is "now" (or follows it): see [`Query::low_bound_moves_with_time`].
    low_moves: bool,
}

impl Store {
    /// Every item of `partition` on `index`, in sort-key order, until narrowed.
    pub fn query(&self, index: Index, partition: impl Into<String>) -> Query<'_> {
        Query {
            store: self,
            index,
            partition: partition.into(),
            sort: SortKey::Any,
            filter_equals: None,
            ascending: true,
            consistent: false,
            low_moves: false,
        }
    }
}

impl<'s> Query<'s> {
    /// Sort keys that begin with `prefix`.
    pub fn sk_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.sort = SortKey::Prefix(prefix.into());
        self
    }
    /// Sort keys from `low` to `high`, both included.
    pub fn sk_between(mut self, low: impl Into<String>, high: impl Into<String>) -> Self {
        self.sort = SortKey::Between(low.into(), high.into());
        self
    }
    /// Sort keys strictly before `bound`.
    pub fn sk_before(mut self, bound: impl Into<String>) -> Self {
        self.sort = SortKey::Before(bound.into());
        self
    }
    /// Keeps only items whose `attribute` equals `value` (a filter: the others are still read).
    pub fn filter_equals(mut self, attribute: impl Into<String>, value: AttributeValue) -> Self {
        self.filter_equals = Some((attribute.into(), value));
        self
    }
    /// Highest sort key first.
    pub fn newest_first(mut self) -> Self {
        self.ascending = false;
        self
    }
    /// The lower bound of [`Query::sk_between`] follows the clock ("upcoming", "from now on"), so
    /// a cursor made earlier may lie below it by the time it comes back: that cursor is still
    /// this list's, and resumes at the bound (ascending) or finds the list finished (descending).
    pub fn low_bound_moves_with_time(mut self) -> Self {
        self.low_moves = true;
        self
    }
    /// A strongly consistent read (the table only: indexes are eventually consistent).
    pub fn consistent(mut self) -> Self {
        self.consistent = self.index == Index::Table;
        self
    }

    fn request(&self) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let (pk_attr, sk_attr) = self.index.key_attributes();
        let mut query = self
            .store
            .client
            .query()
            .table_name(&self.store.table)
            .set_index_name(self.index.name().map(str::to_owned))
            .expression_attribute_names("#pk", pk_attr)
            .expression_attribute_values(":pk", s(self.partition.clone()))
            .scan_index_forward(self.ascending)
            .consistent_read(self.consistent);
        query = match &self.sort {
            SortKey::Any => query.key_condition_expression("#pk = :pk"),
            SortKey::Prefix(prefix) => query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", sk_attr)
                .expression_attribute_values(":prefix", s(prefix.clone())),
            SortKey::Between(low, high) => query
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
                .expression_attribute_names("#sk", sk_attr)
                .expression_attribute_values(":low", s(low.clone()))
                .expression_attribute_values(":high", s(high.clone())),
            SortKey::Before(bound) => query
                .key_condition_expression("#pk = :pk AND #sk < :bound")
                .expression_attribute_names("#sk", sk_attr)
                .expression_attribute_values(":bound", s(bound.clone())),
        };
        if let Some((attribute, value)) = &self.filter_equals {
            query = query
                .filter_expression("#filter = :filter")
                .expression_attribute_names("#filter", attribute.clone())
                .expression_attribute_values(":filter", value.clone());
        }
        query
    }

    /// One page resuming at `page`'s cursor, and the cursor of the next (none on the last).
    /// A cursor that this query could not have returned is refused before DynamoDB sees it.
    pub async fn page(&self, page: &Page) -> Result<(Vec<Item>, Option<String>), StoreError> {
        if let Some(start) = &page.start_key {
            let (pk_attr, sk_attr) = self.index.key_attributes();
            let same_partition = start.get(pk_attr).and_then(|v| v.as_s().ok()) == Some(&self.partition);
            // An index's resume key holds the table key and the index key, nothing else.
            let mut expected = vec!["pk", "sk"];
            if self.index != Index::Table {
                expected.extend([pk_attr, sk_attr]);
            }
            let complete = start.len() == expected.len() && expected.iter().all(|k| start.contains_key(*k));
            if !same_partition || !complete {
                return Err(StoreError::InvalidCursor);
            }
            let sort_key = start.get(sk_attr).and_then(|v| v.as_s().ok());
            if !self.sort_admits(sort_key) {
                match (&self.sort, sort_key) {
                    (SortKey::Between(low, _), Some(key)) if self.low_moves && key < low => {
                        if !self.ascending {
                            return Ok((Vec::new(), None));
                        }
                        return self.send_page(page, None).await;
                    }
                    _ => return Err(StoreError::InvalidCursor),
                }
            }
        }
        self.send_page(page, page.start_key.clone()).await
    }

    async fn send_page(&self, page: &Page, start_key: Option<Item>) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let output = self
            .request()
            .limit(page.limit)
            .set_exclusive_start_key(start_key)
            .customize()
            .config_override(call_config(&self.store.client))
            .send()
            .await
            .map_err(sdk_error)?;
        let next =
            output.last_evaluated_key.filter(|k| !k.is_empty()).map(|k| encode_list_cursor(&k, page.list.as_deref()));
        Ok((output.items.unwrap_or_default(), next))
    }

    /// Whether a resume key's sort key lies in this query's range (a cursor of another range of
    /// the same partition would otherwise resume somewhere unrelated).
    fn sort_admits(&self, sort_key: Option<&String>) -> bool {
        let Some(key) = sort_key else { return false };
        match &self.sort {
            SortKey::Any => true,
            SortKey::Prefix(prefix) => key.starts_with(prefix.as_str()),
            SortKey::Between(low, high) => low <= key && key <= high,
            SortKey::Before(bound) => key < bound,
        }
    }

    /// [`Query::page`], each item decoded as `T`.
    pub async fn page_of<T: DeserializeOwned>(&self, page: &Page) -> Result<(Vec<T>, Option<String>), StoreError> {
        let (items, next) = self.page(page).await?;
        Ok((items.into_iter().map(from_item).collect::<Result<_, _>>()?, next))
    }

    /// Every matching item, page after page.
    pub async fn all(&self) -> Result<Vec<Item>, StoreError> {
        query_all(&self.store.client, self.request()).await
    }

    /// [`Query::all`], each item decoded as `T`.
    pub async fn all_of<T: DeserializeOwned>(&self) -> Result<Vec<T>, StoreError> {
        self.all().await?.into_iter().map(from_item).collect()
    }

    /// How many items match (counted by DynamoDB, page after page; nothing is returned).
    pub async fn count(&self) -> Result<usize, StoreError> {
        let mut total = 0usize;
        let mut start: Option<Item> = None;
        loop {
            let output = self
                .request()
                .select(Select::Count)
                .set_exclusive_start_key(start.take())
                .customize()
                .config_override(call_config(&self.store.client))
                .send()
                .await
                .map_err(sdk_error)?;
            total += usize::try_from(output.count).unwrap_or(0);
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(total),
            }
        }
    }
}
