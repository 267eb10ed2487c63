#!/usr/bin/env bash
# Chat relay benchmark through the local gateway: starts DynamoDB Local, moto and an optimised
# gateway on their own ports, runs tests/bench/chat.rs (CLIENTS WebSocket clients, MESSAGES
# each), prints the figures, stops everything.
#   infra/local/bench-chat.sh                      50 clients, 40 messages each
#   CLIENTS=10 MESSAGES=100 infra/local/bench-chat.sh
# Ports (override by env): DYNAMODB_PORT=8200 SES_PORT=8201 HTTP_PORT=3200 WS_PORT=3201 CHIME_PORT=3202
# PROFILE=bench-local (release code without LTO; see Cargo.toml) or dev for a quick run.
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export DYNAMODB_PORT="${DYNAMODB_PORT:-8200}" SES_PORT="${SES_PORT:-8201}"
export HTTP_PORT="${HTTP_PORT:-3200}" WS_PORT="${WS_PORT:-3201}" CHIME_PORT="${CHIME_PORT:-3202}"
export_local_env
export GATEWAY_URL="http://127.0.0.1:$HTTP_PORT" WS_URL="ws://127.0.0.1:$WS_PORT"
# The benchmark measures the relay, not the per-user limit (30 a minute in production).
export CHAT_RATE_LIMIT_PER_MINUTE=1000000
# Per-request logging would measure the terminal.
export RUST_LOG="${RUST_LOG:-warn}"
PROFILE="${PROFILE:-bench-local}"
TARGET_DIR="$PROFILE"
[[ "$PROFILE" == dev ]] && TARGET_DIR=debug

"$ROOT/infra/local/install.sh"
log "cargo build --profile $PROFILE (gateway and benchmark)"
cargo build --profile "$PROFILE" -p local-gateway -p integration-tests --bin local-gateway --bin chat-bench

start_stores
start_gateway "$LOG_DIR/gateway-bench-$HTTP_PORT.log" "$ROOT/target/$TARGET_DIR/local-gateway"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
"$ROOT/target/$TARGET_DIR/chat-bench"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
