//! Direct access to the table, for checks the API cannot make and set-up it cannot do.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::time::stored_instant;

/// An item as the SDK reads and writes it.
pub type Item = HashMap<String, AttributeValue>;

/// The string attribute `name` of `item`, if it has one.
pub fn attr_text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(|value| value.as_s().ok()).map(String::as_str)
}

/// Direct access to the table, for checks the API cannot make.
pub struct Table {
    pub client: aws_sdk_dynamodb::Client,
    pub name: String,
}

/// An outbox email put by [`Table::put_pending_outbox`].
pub struct PendingOutbox {
    pub pk: String,
    pub sk: String,
    pub email_id: String,
    pub to: String,
    pub created_at: String,
    pub expires_at: String,
}

impl Table {
    pub async fn connect() -> Table {
        let config = aws_config::load_from_env().await;
        Table {
            client: aws_sdk_dynamodb::Client::new(&config),
            name: std::env::var("TABLE_NAME").unwrap_or_else(|_| "suivi-local".into()),
        }
    }

    /// `<table>-<suffix>`, made if missing: the table's key schema (`pk`, `sk`) and no stream.
    /// For invoking `email-dispatch` with stream events of one's own: the local gateway's stream
    /// consumer watches the main table only, so it cannot race for the emails put here.
    pub async fn side_table(&self, suffix: &str) -> Table {
        self.make_side_table(suffix, false).await
    }

    /// [`Table::side_table`] with the table's `GSI1` (`gsi1pk`/`gsi1sk`, all attributes): for
    /// invoking `email-sweep`, which reads the open-outbox index, away from the gateway's own
    /// scheduled sweep of the main table.
    pub async fn side_table_with_gsi1(&self, suffix: &str) -> Table {
        self.make_side_table(suffix, true).await
    }

    async fn make_side_table(&self, suffix: &str, with_gsi1: bool) -> Table {
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
            ProjectionType, ScalarAttributeType,
        };
        let name = format!("{}-{suffix}", self.name);
        let attribute = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute")
        };
        let key = |n: &str, t: KeyType| KeySchemaElement::builder().attribute_name(n).key_type(t).build().expect("key");
        let created = self
            .client
            .create_table()
            .table_name(&name)
            .attribute_definitions(attribute("pk"))
            .attribute_definitions(attribute("sk"))
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range))
            .billing_mode(BillingMode::PayPerRequest);
        let created = if with_gsi1 {
            created
                .attribute_definitions(attribute("gsi1pk"))
                .attribute_definitions(attribute("gsi1sk"))
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name("GSI1")
                        .key_schema(key("gsi1pk", KeyType::Hash))
                        .key_schema(key("gsi1sk", KeyType::Range))
                        .projection(Projection::builder().projection_type(ProjectionType::All).build())
                        .build()
                        .expect("GSI1"),
                )
        } else {
            created
        };
        let created = created.send().await;
        if let Err(error) = created {
            let in_use = error.as_service_error().is_some_and(|e| e.is_resource_in_use_exception());
            assert!(in_use, "CreateTable {name}: {error:?}");
        }
        Table { client: self.client.clone(), name }
    }

    /// Test set-up only: writes `items` as they are, 25 a request (BatchWriteItem), 16 requests
    /// at once, until DynamoDB has taken every one.
    pub async fn batch_put(&self, items: Vec<Item>) {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let batches: Vec<Vec<Item>> = items.chunks(25).map(<[_]>::to_vec).collect();
        for group in batches.chunks(16) {
            futures::future::join_all(group.iter().map(|batch| async move {
                let mut requests: Vec<WriteRequest> = batch
                    .iter()
                    .map(|item| {
                        WriteRequest::builder()
                            .put_request(PutRequest::builder().set_item(Some(item.clone())).build().expect("put"))
                            .build()
                    })
                    .collect();
                while !requests.is_empty() {
                    let output = self
                        .client
                        .batch_write_item()
                        .request_items(&self.name, requests)
                        .send()
                        .await
                        .expect("BatchWriteItem");
                    requests = output.unprocessed_items.and_then(|mut u| u.remove(&self.name)).unwrap_or_default();
                }
            }))
            .await;
        }
    }

    /// The items of `keys` (`pk`, `sk`) that exist, 100 a request (BatchGetItem, strongly
    /// consistent), in no particular order.
    pub async fn items(&self, keys: &[(String, String)]) -> Vec<Item> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut found = Vec::new();
        for chunk in keys.chunks(100) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|(pk, sk)| {
                    Item::from([
                        ("pk".to_owned(), AttributeValue::S(pk.clone())),
                        ("sk".to_owned(), AttributeValue::S(sk.clone())),
                    ])
                })
                .collect();
            let mut request =
                Some(KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build().expect("keys"));
            while let Some(pending) = request.take() {
                let output =
                    self.client.batch_get_item().request_items(&self.name, pending).send().await.expect("BatchGetItem");
                found.extend(output.responses.and_then(|mut r| r.remove(&self.name)).unwrap_or_default());
                request = output.unprocessed_keys.and_then(|mut u| u.remove(&self.name)).filter(|k| !k.keys.is_empty());
            }
        }
        found
    }

    /// Test set-up only: writes `item` as it is.
    pub async fn put(&self, item: Item) {
        self.client.put_item().table_name(&self.name).set_item(Some(item)).send().await.expect("PutItem");
    }

    /// A pending outbox email (template `chat_notice`, no seeker) to `to`, as the business
    /// transactions write them.
    pub async fn put_pending_outbox(&self, to: &str) -> PendingOutbox {
        let email_id = ulid::Ulid::new().to_string();
        let now = chrono::Utc::now();
        let seed = PendingOutbox {
            pk: format!("OUTBOX#{email_id}"),
            sk: format!("OUTBOX#{email_id}"),
            email_id,
            to: to.to_owned(),
            created_at: stored_instant(now),
            expires_at: (now + chrono::Duration::days(30)).timestamp().to_string(),
        };
        let s = |v: &str| AttributeValue::S(v.to_owned());
        self.client
            .put_item()
            .table_name(&self.name)
            .item("pk", s(&seed.pk))
            .item("sk", s(&seed.sk))
            .item("emailId", s(&seed.email_id))
            .item("template", s("chat_notice"))
            .item("to", s(to))
            .item("status", s("pending"))
            .item("createdAt", s(&seed.created_at))
            .item("expiresAt", AttributeValue::N(seed.expires_at.clone()))
            .item("gsi1pk", s(&store::keys::outbox_open_gsi1pk(store::keys::outbox_open_shard(&seed.email_id))))
            .item("gsi1sk", s(&store::keys::outbox_open_gsi1sk(&seed.created_at, &seed.email_id)))
            .send()
            .await
            .expect("PutItem of an outbox email");
        seed
    }

    /// A welcome email to `to` (about `seeker_id`, if given) written at `written_at` and left in the state an
    /// interrupted send leaves: `sending` under a claim whose lease ends at `lease_until`,
    /// with SES's message id when SES had accepted it. In the open-outbox index, as every
    /// unsent email is. The stream's filter takes new (`pending`) emails only, so only the
    /// email sweep acts on it.
    pub async fn put_interrupted_outbox(
        &self,
        to: &str,
        seeker_id: Option<&str>,
        written_at: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        ses_message_id: Option<&str>,
    ) -> store::outbox::OutboxRecord {
        let mut email = store::outbox::OutboxRecord::new(
            store::email_params::Email::WelcomeSeeker(store::email_params::WelcomeSeeker {
                first_name: "Léa".into(),
                level_label: "accompagnement guidé",
                assigned: false,
                advisor_name: None,
                app_url: "http://x".into(),
            }),
            to,
            seeker_id,
            written_at,
        );
        email.status = "sending".into();
        email.claimed_until = Some(lease_until);
        email.attempts = 1;
        email.ses_message_id = ses_message_id.map(str::to_owned);
        email.sent_at = ses_message_id.map(|_| written_at);
        self.put(store::to_item(&email).expect("an outbox item")).await;
        email
    }

    /// A missed-call SMS to `to` for `seeker_id`, written (and due) at `written_at` and left in
    /// the state an interrupted send leaves: `sending` under a claim whose lease ends at
    /// `lease_until`, in the open-outbox index as every unsent SMS is. The stream's filter
    /// takes new (`pending`) items only, so only the email sweep acts on it.
    pub async fn put_interrupted_sms(
        &self,
        to: &str,
        seeker_id: &str,
        written_at: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
    ) -> store::sms::SmsRecord {
        let sms_id = ulid::Ulid::from_datetime(written_at.into()).to_string();
        let written = stored_instant(written_at);
        let sms = store::sms::SmsRecord {
            pk: store::keys::seeker_pk(seeker_id),
            sk: store::keys::sms_outbox_sk(&sms_id),
            sms_id: sms_id.clone(),
            template: store::sms::SmsTemplate::MissedCall,
            seeker_id: seeker_id.to_owned(),
            to: Some(to.to_owned()),
            text: Some("Votre conseiller a essayé de vous joindre.".to_owned()),
            status: "sending".into(),
            not_before: written_at,
            gsi1pk: Some(store::keys::outbox_open_gsi1pk(store::keys::outbox_open_shard(&sms_id))),
            gsi1sk: Some(store::keys::outbox_open_gsi1sk(&written, &sms_id)),
            created_at: written_at,
            expires_at: (chrono::Utc::now() + chrono::Duration::days(30)).timestamp(),
        };
        let mut item = store::to_item(&sms).expect("an sms item");
        item.insert("claimedUntil".into(), AttributeValue::S(stored_instant(lease_until)));
        self.put(item).await;
        sms
    }

    pub async fn item(&self, pk: &str, sk: &str) -> Option<Item> {
        self.client
            .get_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(pk.into()))
            .key("sk", AttributeValue::S(sk.into()))
            .consistent_read(true)
            .send()
            .await
            .expect("GetItem")
            .item
    }

    /// Test set-up only: moves an interview into the past, as if its time had come.
    pub async fn move_interview_to_past(&self, interview_id: &str, minutes_ago: i64) {
        self.move_interview_to(interview_id, chrono::Utc::now() - chrono::Duration::minutes(minutes_ago)).await;
    }

    /// Test set-up only: the interview starts at `start` (30 minutes) in its record and in the
    /// sort keys of the agenda and of the seeker's list (not in its agenda granules).
    pub async fn move_interview_and_lists_to(&self, interview_id: &str, start: chrono::DateTime<chrono::Utc>) {
        let sort_key = format!("{}#{interview_id}", stored_instant(start));
        self.move_interview_to(interview_id, start).await;
        self.client
            .update_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(format!("INTERVIEW#{interview_id}")))
            .key("sk", AttributeValue::S("INTERVIEW".into()))
            .update_expression("SET gsi1sk = :key, gsi2sk = :key")
            .expression_attribute_values(":key", AttributeValue::S(sort_key))
            .send()
            .await
            .expect("UpdateItem");
    }

    /// Test set-up only: the interview's record (not its agenda granules) starts at `start`, for 30 minutes.
    pub async fn move_interview_to(&self, interview_id: &str, start: chrono::DateTime<chrono::Utc>) {
        let end = start + chrono::Duration::minutes(30);
        self.client
            .update_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(format!("INTERVIEW#{interview_id}")))
            .key("sk", AttributeValue::S("INTERVIEW".into()))
            .update_expression("SET #start = :start, #end = :end")
            .expression_attribute_names("#start", "start")
            .expression_attribute_names("#end", "end")
            .expression_attribute_values(":start", AttributeValue::S(stored_instant(start)))
            .expression_attribute_values(":end", AttributeValue::S(stored_instant(end)))
            .send()
            .await
            .expect("UpdateItem");
    }

    /// Test set-up only: the profile's `retainUntil` is `until` and its retention marker is
    /// filed under that UTC day, as if the seeker had last come two years before `until`.
    pub async fn set_profile_retention(&self, seeker_id: &str, until: chrono::DateTime<chrono::Utc>) {
        self.retention_update(seeker_id, "PROFILE", "SET retainUntil = :until", until).await;
        self.file_retention_marker(seeker_id, until).await;
    }

    /// Test set-up only: the retention marker alone is filed under the UTC day of `until`
    /// (`RETAIN_DUE#<day>`), as a marker the job has not yet moved after the seeker came back.
    pub async fn file_retention_marker(&self, seeker_id: &str, until: chrono::DateTime<chrono::Utc>) {
        self.retention_update(seeker_id, "RETENTION", "SET retainUntil = :until, gsi1pk = :day", until).await;
    }

    async fn retention_update(
        &self,
        seeker_id: &str,
        sk: &str,
        expression: &str,
        until: chrono::DateTime<chrono::Utc>,
    ) {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(format!("SEEKER#{seeker_id}")))
            .key("sk", AttributeValue::S(sk.into()))
            .update_expression(expression)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":until", AttributeValue::N(until.timestamp().to_string()));
        if expression.contains(":day") {
            update = update.expression_attribute_values(
                ":day",
                AttributeValue::S(format!("RETAIN_DUE#{}", until.format("%Y-%m-%d"))),
            );
        }
        update.send().await.unwrap_or_else(|e| panic!("UpdateItem {sk} of {seeker_id}: {e:?}"));
    }

    /// Test set-up only: deletes one item (as the TTL or an erasure would).
    pub async fn delete(&self, pk: &str, sk: &str) {
        self.client
            .delete_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(pk.into()))
            .key("sk", AttributeValue::S(sk.into()))
            .send()
            .await
            .expect("DeleteItem");
    }

    /// Test set-up only: moves an interview to `[start, start + minutes)` with its advisor's
    /// agenda granules (`BUSY#`, 5 minutes each), as if it had been made at that time: for
    /// tests of what its agenda allows once its time has come. `start` must be on a granule.
    pub async fn place_interview(&self, interview_id: &str, start: chrono::DateTime<chrono::Utc>, minutes: i64) {
        let pk = format!("INTERVIEW#{interview_id}");
        let interview = self.item(&pk, "INTERVIEW").await.expect("the interview");
        let advisor = format!("ADVISOR#{}", attr_text(&interview, "advisorId").expect("advisorId"));
        let granules = |from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>| {
            let mut keys = Vec::new();
            let mut at = from;
            while at < to {
                keys.push(format!("BUSY#{}", stored_instant(at)));
                at += chrono::Duration::minutes(5);
            }
            keys
        };
        let old_start = crate::time::parse_instant(attr_text(&interview, "start").expect("start"));
        let old_end = crate::time::parse_instant(attr_text(&interview, "end").expect("end"));
        for key in granules(old_start, old_end) {
            self.delete(&advisor, &key).await;
        }
        let end = start + chrono::Duration::minutes(minutes);
        for key in granules(start, end) {
            let mut item = Item::new();
            item.insert("pk".into(), AttributeValue::S(advisor.clone()));
            item.insert("sk".into(), AttributeValue::S(key));
            item.insert("interviewId".into(), AttributeValue::S(interview_id.into()));
            self.put(item).await;
        }
        self.client
            .update_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S("INTERVIEW".into()))
            .update_expression("SET #start = :start, #end = :end, durationMinutes = :minutes")
            .expression_attribute_names("#start", "start")
            .expression_attribute_names("#end", "end")
            .expression_attribute_values(":start", AttributeValue::S(stored_instant(start)))
            .expression_attribute_values(":end", AttributeValue::S(stored_instant(end)))
            .expression_attribute_values(":minutes", AttributeValue::N(minutes.to_string()))
            .send()
            .await
            .expect("UpdateItem");
    }

    pub async fn partition(&self, pk: &str) -> Vec<Item> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.name)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(pk.into()))
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .expect("Query");
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return items,
            }
        }
    }

    /// Every item whose text mentions `needle`: a test-only full Scan, to prove erased data is gone everywhere.
    pub async fn items_mentioning(&self, needle: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let output =
                self.client.scan().table_name(&self.name).set_exclusive_start_key(start).send().await.expect("Scan");
            for item in output.items.unwrap_or_default() {
                let text = format!("{item:?}");
                if text.contains(needle) {
                    found.push(text);
                }
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return found,
            }
        }
    }
}
