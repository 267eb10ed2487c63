#!/usr/bin/env bash
# The reminders' peak, timed: 20,000 hour-before reminders due at one instant, sent by one run
# of RemindersStateMachine (plan, 20 shards 8 at a time, finish) on the local stack. It runs the
# test that proves it (tests/api/reminders.rs, a_peak_of_reminders_…), which starts its
# own gateway and moto over this stack's DynamoDB Local and prints the seeding and run times;
# they go to .local/logs/bench-reminders.txt. A step of `make bench`; `make bench-reminders` alone.
# Ports (override by env): DYNAMODB_PORT=8320 SES_PORT=8321 HTTP_PORT=3320 WS_PORT=3321 CHIME_PORT=3322
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
cd "$ROOT"

export DYNAMODB_PORT="${DYNAMODB_PORT:-8320}" SES_PORT="${SES_PORT:-8321}"
export HTTP_PORT="${HTTP_PORT:-3320}" WS_PORT="${WS_PORT:-3321}" CHIME_PORT="${CHIME_PORT:-3322}"
export_local_env
export GATEWAY_URL="http://127.0.0.1:$HTTP_PORT" WS_URL="ws://127.0.0.1:$WS_PORT"
export LOCAL_SCHEDULER=off

"$ROOT/infra/local/install.sh"
cargo build --workspace --all-targets
start_stores
start_gateway "$LOG_DIR/gateway-$HTTP_PORT.log" "$ROOT/target/debug/local-gateway"

echo "== reminders peak: 20,000 due at one instant, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%FT%TZ) =="
PEAK_REMINDERS=20000 cargo test -p integration-tests --test api -- --exact \
	reminders::a_peak_of_reminders_due_at_one_instant_is_each_sent_once_by_one_run --nocapture 2>&1 |
	tee "$LOG_DIR/bench-reminders.log" | grep -E '^peak:|^test result' | tee "$LOG_DIR/bench-reminders.txt"
grep -q '^test result: ok' "$LOG_DIR/bench-reminders.txt"
