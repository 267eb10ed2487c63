// Node.js 20 baseline of the cold-start benchmark (infra/bench/coldstart.sh).
//
// A minimal custom runtime: the Lambda Runtime API loop with Node's built-in fetch, around a
// handler doing one DynamoDB PutItem with the AWS SDK for JavaScript v3 (the same write as the
// Rust `putitem` function). It is not AWS's managed nodejs20.x runtime (no runtime interface
// client, no extensions, no log shipping), so its cold start is a lower bound for Node.
//
// The client is made at init, as handlers usually do; region, credentials and endpoint come
// from the environment (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL_DYNAMODB).
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";

const runtime = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const table = process.env.TABLE_NAME;
const client = new DynamoDBClient({});

async function handler(event) {
  const id = String(event.id);
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: `COLDSTART#${id}` },
        sk: { S: "COLDSTART" },
        runtime: { S: "node" },
        at: { S: new Date().toISOString() },
      },
    }),
  );
  return { id, written: true };
}

async function post(path, body, headers = {}) {
  await fetch(`${runtime}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

for (;;) {
  const next = await fetch(`${runtime}/invocation/next`);
  const requestId = next.headers.get("lambda-runtime-aws-request-id");
  const event = await next.json();
  try {
    await post(`/invocation/${requestId}/response`, await handler(event));
  } catch (error) {
    await post(
      `/invocation/${requestId}/error`,
      { errorType: error?.name ?? "Error", errorMessage: String(error?.message ?? error) },
      { "lambda-runtime-function-error-type": "Runtime.UnhandledError" },
    );
  }
}
