#!/usr/bin/env bash
# `make run`: the whole local stack in the foreground, with demo data. Ctrl-C stops all of it,
# and so does a TERM to its process group, a HUP, or its parent going away (the watchdog of
# lib.sh; LOCAL_WATCH_PARENTS=off leaves it out). infra/local/test-stop.sh checks all of these.
#   DynamoDB Local  127.0.0.1:$DYNAMODB_PORT (8000)   moto (SES)  127.0.0.1:$SES_PORT (8001)
#   local gateway   HTTP 127.0.0.1:$HTTP_PORT (3000), WebSocket $WS_PORT (3001), Chime $CHIME_PORT (3002)
#   web front end   http://127.0.0.1:$WEB_PORT/ (3003): web/dist and the API under /api, routed as
#                   the CloudFront distribution of template.yaml routes them (web/server/serve.mjs)
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export_local_env
export WEB_PORT="${WEB_PORT:-3003}"
# The traps first, then the watchdog on the parent (make) and its parent (whoever ran make).
local_install_traps
local_watch_parents

"$ROOT/infra/local/install.sh"

t=$(now_s)
log "cargo build -p local-gateway"
cargo build -p local-gateway
log "build: $(elapsed "$t")s"
GATEWAY_BIN="$ROOT/target/debug/local-gateway"
[[ -x "$GATEWAY_BIN" ]] || die "$GATEWAY_BIN was not built"
[[ -f "$TEMPLATE_PATH" ]] || die "$TEMPLATE_PATH not found: the gateway builds the table and routes from it"

t=$(now_s)
mkdir -p "$LOG_DIR"
log "web: npm run build (type-checked client from docs/openapi.yaml, Vite)"
(cd "$ROOT/web" && npm run --silent build >"$LOG_DIR/web-build.log" 2>&1) || {
	show_log_tail "$LOG_DIR/web-build.log"
	die "the front end did not build"
}
log "web build: $(elapsed "$t")s"

t=$(now_s)
free_port_or_die "$WEB_PORT" web
start_stores
# The gateway creates the table from template.yaml (TEMPLATE_PATH) and verifies the SES sender
# at start.
GATEWAY_LOG="$LOG_DIR/gateway-$HTTP_PORT.log"
start_gateway "$GATEWAY_LOG" "$GATEWAY_BIN"
GATEWAY_PID=$LAST_PID
start_bg web "$LOG_DIR/web-$WEB_PORT.log" env -C "$ROOT" node web/server/serve.mjs
wait_for_port "$WEB_PORT" web 20
log "stack up in $(elapsed "$t")s"
echo "----- local gateway -----"
cat "$GATEWAY_LOG"
echo "-------------------------"

BASE="http://127.0.0.1:$HTTP_PORT"
# The interview room's demo interview (seed-demo.sh writes it; none left from an earlier run).
ROOM_FILE="$ROOT/.local/demo-interview.txt"
rm -f "$ROOM_FILE"
# Demo data is a convenience: a failure is reported, and the stack stays up. In a group of its
# own, waited for with `wait`: bash runs a trap only once a foreground command returns, so a
# TERM during a foreground seeding waited for the seeding's end (and its curls); `wait` returns
# at once on a trapped signal, and the cleanup stops the seeding's group with the services.
start_group seed "$ROOT/infra/local/seed-demo.sh" "$BASE"
SEED_PID=$LAST_PID
seed_status=0
wait "$SEED_PID" || seed_status=$?
local_forget "$SEED_PID"
if ((seed_status != 0)); then
	log "WARNING: seeding demo data failed (see above); the stack is running without all of it"
fi

echo
echo "Web front end: http://127.0.0.1:$WEB_PORT/   (sign in as a demo person, or as someone new)"
if [[ -f "$ROOM_FILE" ]]; then cat "$ROOM_FILE"; fi
cat <<EOF

Local stack running (logs in .local/logs/):
  HTTP API    $BASE   (also on the front end's origin under /api, as CloudFront serves it)
  WebSocket   ws://127.0.0.1:$WS_PORT/?token=<JWT>
  DynamoDB    http://127.0.0.1:$DYNAMODB_PORT  (table $TABLE_NAME)
  SES (moto)  http://127.0.0.1:$SES_PORT

Get a token (local sign-in standing in for Cognito; groups: [] for a job seeker,
["advisors"] or ["admins"]):
  curl -s -X POST $BASE/_local/token -H 'content-type: application/json' -d '{"sub":"demo-advisor-occ-web","email":"sophie.durand@example.fr","groups":["advisors"]}'

Or paste this helper, which prints the token alone, and try:
  tok() { curl -s -X POST $BASE/_local/token -H 'content-type: application/json' -d "{\\"sub\\":\\"\$1\\",\\"email\\":\\"\$2\\",\\"groups\\":\${3:-[]}}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
  curl -s $BASE/advisors/me/portfolio -H "authorization: Bearer \$(tok demo-advisor-occ-web sophie.durand@example.fr '["advisors"]')"
  curl -s $BASE/seekers/me -H "authorization: Bearer \$(tok demo-seeker-occ-1 lucas.moreau@example.fr)"
  curl -s "$BASE/admin/advisors?region=76" -H "authorization: Bearer \$(tok demo-admin admin.demo@example.fr '["admins"]')"
Every demo person and their token command: .local/demo-people.txt

Emails the local SES received (newest first):
  curl -s $BASE/_local/emails

Following the gateway's log below. Ctrl-C stops everything.
EOF

# Follow the gateway's output until it exits, Ctrl-C or a TERM (the trap in lib.sh then stops
# every process). tail runs in the background (a group of its own, stopped with the others)
# and the script waits: `wait` returns at once on a trapped signal.
start_group tail tail -n 0 -f --pid="$GATEWAY_PID" "$GATEWAY_LOG"
status=0
wait "$GATEWAY_PID" || status=$?
log "the gateway exited with status $status"
exit "$status"
