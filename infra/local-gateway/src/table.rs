//! Creates the table in DynamoDB Local from the template's own definition.

use anyhow::{Context, Result};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

use crate::template::{KeyElement, TableSpec};

fn key_schema(elements: &[KeyElement]) -> Result<Vec<KeySchemaElement>> {
    elements
        .iter()
        .map(|k| {
            Ok(KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()?)
        })
        .collect()
}

/// Creates `name` (if missing) and returns its stream ARN.
pub async fn ensure(client: &Client, name: &str, spec: &TableSpec) -> Result<String> {
    let exists = client.describe_table().table_name(name).send().await.is_ok();
    if !exists {
        let mut create = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_key_schema(Some(key_schema(&spec.key_schema)?));
        for attribute in &spec.attribute_definitions {
            create = create.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(&attribute.attribute_name)
                    .attribute_type(ScalarAttributeType::from(attribute.attribute_type.as_str()))
                    .build()?,
            );
        }
        for index in &spec.global_secondary_indexes {
            let projection = Projection::builder()
                .projection_type(ProjectionType::from(index.projection.projection_type.as_str()))
                .set_non_key_attributes(if index.projection.non_key_attributes.is_empty() {
                    None
                } else {
                    Some(index.projection.non_key_attributes.clone())
                })
                .build();
            create = create.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(&index.index_name)
                    .set_key_schema(Some(key_schema(&index.key_schema)?))
                    .projection(projection)
                    .build()?,
            );
        }
        if let Some(stream) = &spec.stream_specification {
            create = create.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(stream.stream_view_type.as_str()))
                    .build()?,
            );
        }
        create.send().await.context("CreateTable")?;
        if let Some(ttl) = &spec.time_to_live_specification {
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(&ttl.attribute_name)
                        .enabled(ttl.enabled)
                        .build()?,
                )
                .send()
                .await
                .context("UpdateTimeToLive")?;
        }
    }
    let description = client.describe_table().table_name(name).send().await.context("DescribeTable")?;
    description
        .table
        .and_then(|t| t.latest_stream_arn)
        .context("the table has no stream: StreamSpecification is missing from template.yaml")
}
