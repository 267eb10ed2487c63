#!/usr/bin/env bash
# `make bench`: on a fresh local stack on its own ports, first the cold-start and peak-memory
# measure of every function against a Node.js 20 baseline (infra/bench/coldstart.sh; optimised
# builds, COLDSTART_PROFILE=bench-local by default, or release; COLDSTART=off skips it), then
# the local load run (tests/bin/load.rs); then the stack is stopped; then the capacity walk
# (infra/bench-costs.sh), the reminders' peak (infra/bench-reminders.sh) and the front end's
# budgets (infra/bench-web.sh). Never part of `make test`.
#   infra/bench.sh [VIRTUAL_USERS] [SECONDS]     defaults 200 and 60
# Ports (override by env): DYNAMODB_PORT=8300 SES_PORT=8301 HTTP_PORT=3300 WS_PORT=3301 CHIME_PORT=3302
# What is measured is the local stack: debug builds of the handlers inside the local gateway,
# DynamoDB Local and moto, all on this machine. See docs/benchmarks.md.
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
cd "$ROOT"

USERS="${1:-200}" SECONDS_RUN="${2:-60}"
export DYNAMODB_PORT="${DYNAMODB_PORT:-8300}" SES_PORT="${SES_PORT:-8301}"
export HTTP_PORT="${HTTP_PORT:-3300}" WS_PORT="${WS_PORT:-3301}" CHIME_PORT="${CHIME_PORT:-3302}"
export_local_env
export GATEWAY_URL="http://127.0.0.1:$HTTP_PORT" WS_URL="ws://127.0.0.1:$WS_PORT"
# Scheduled functions stay out of the figures.
export LOCAL_SCHEDULER=off

"$ROOT/infra/local/install.sh"
# The same build as `make test` (same features, so the same cached artefacts).
cargo build --workspace --all-targets

start_stores
start_gateway "$LOG_DIR/gateway-$HTTP_PORT.log" "$ROOT/target/debug/local-gateway"

if [[ "${COLDSTART:-on}" != off ]]; then
	echo "== cold start and peak memory (infra/bench/coldstart.sh) =="
	"$ROOT/infra/bench/coldstart.sh"
fi

echo "== load: $USERS virtual users, ${SECONDS_RUN}s, $(nproc) cores, $(date -u +%FT%TZ) =="
"$ROOT/target/debug/load" "$USERS" "$SECONDS_RUN" | tee "$LOG_DIR/bench-load.md"

# DynamoDB capacity per route and cost per 1,000 seekers (docs/benchmarks.md): the load stack is
# stopped first (its figures are final), then infra/bench-costs.sh starts a fresh one, behind the
# metering proxy, on the same ports; output in .local/logs/bench-costs.md.
local_cleanup
"$ROOT/infra/bench-costs.sh"

# The reminders' peak (20,000 due at once, one run) on a stack of its own (infra/bench-reminders.sh;
# ports 832x).
"$ROOT/infra/bench-reminders.sh"

# The front end's budgets (initial JavaScript, Lighthouse mobile) on a stack of its own
# (infra/bench-web.sh; ports 35xx/85xx).
"$ROOT/infra/bench-web.sh"
