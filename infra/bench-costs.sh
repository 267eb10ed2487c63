#!/usr/bin/env bash
# DynamoDB capacity per route and monthly cost per 1,000 seekers (the second part of `make bench`;
# alone: `make bench-costs`). A fresh local stack whose gateway reaches DynamoDB Local through the
# metering proxy (the crate infra/bench/dynamodb-meter, built as target/debug/dynamodb-meter,
# which adds ReturnConsumedCapacity and records every call), then tests/bin/route-costs.rs walks
# every route once and prints the table and the cost model. Output: .local/logs/bench-costs.md. Never part of `make test`.
# Ports (override by env): DYNAMODB_PORT=8300 SES_PORT=8301 METER_PORT=DYNAMODB_PORT+2
#                          HTTP_PORT=3300 WS_PORT=3301 CHIME_PORT=3302
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
cd "$ROOT"

export DYNAMODB_PORT="${DYNAMODB_PORT:-8300}" SES_PORT="${SES_PORT:-8301}"
export HTTP_PORT="${HTTP_PORT:-3300}" WS_PORT="${WS_PORT:-3301}" CHIME_PORT="${CHIME_PORT:-3302}"
export METER_PORT="${METER_PORT:-$((DYNAMODB_PORT + 2))}"
export_local_env
export GATEWAY_URL="http://127.0.0.1:$HTTP_PORT" WS_URL="ws://127.0.0.1:$WS_PORT"
export METER_URL="http://127.0.0.1:$METER_PORT"
# Scheduled functions run only when the walk fires them.
export LOCAL_SCHEDULER=off

"$ROOT/infra/local/install.sh"
cargo build --workspace --all-targets

free_port_or_die "$METER_PORT" "cost walk (METER_PORT)"
start_stores
start_bg meter "$LOG_DIR/dynamodb-meter-$METER_PORT.log" \
	env METER_UPSTREAM="http://127.0.0.1:$DYNAMODB_PORT" "$ROOT/target/debug/dynamodb-meter"
wait_for_port "$METER_PORT" meter 30
# Only the gateway (every handler and its stream poller) goes through the meter; the walker's
# own direct table access (tests' helpers) keeps AWS_ENDPOINT_URL_DYNAMODB = DynamoDB Local.
start_gateway "$LOG_DIR/gateway-$HTTP_PORT.log" "$ROOT/target/debug/local-gateway" \
	AWS_ENDPOINT_URL_DYNAMODB="$METER_URL"

echo "== DynamoDB capacity per route: $(nproc) cores, $(date -u +%FT%TZ) =="
"$ROOT/target/debug/route-costs" | tee "$LOG_DIR/bench-costs.md"
