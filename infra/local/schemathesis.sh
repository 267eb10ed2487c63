#!/usr/bin/env bash
# Hostile input against the OpenAPI document: schemathesis (infra/local/requirements.txt) sends
# generated requests to every route of docs/openapi.yaml through the local gateway, once as a
# job seeker and once as an admin (tokens from the local sign-in), and fails on any 5xx
# (not_a_server_error) or any response that does not conform to the document
# (status_code_conformance, content_type_conformance, response_schema_conformance).
#   infra/local/schemathesis.sh [BASE_URL]    default: $GATEWAY_URL, else http://127.0.0.1:3100
# Bounded: SCHEMATHESIS_MAX_EXAMPLES examples per route and phase (default 10), fixed seed.
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

BASE="${1:-${GATEWAY_URL:-http://127.0.0.1:3100}}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-10}"
ST="$VENV_DIR/bin/schemathesis"
[[ -x "$ST" ]] || die "schemathesis missing from the venv (run infra/local/install.sh)"

token() {
	curl -sf -X POST "$BASE/_local/token" -H 'content-type: application/json' \
		-d "{\"sub\":\"$1\",\"email\":\"$1@example.fr\",\"groups\":$2}" |
		"$VENV_DIR/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

run_as() {
	local who="$1" token="$2"
	log "schemathesis as $who against $BASE (at most $MAX_EXAMPLES examples per route and phase)"
	# Run from .local/ so schemathesis's own cache (.schemathesis/) stays out of the work tree.
	mkdir -p "$LOCAL_DIR/schemathesis"
	(cd "$LOCAL_DIR/schemathesis" && SCHEMATHESIS_HOOKS="" "$ST" run "$ROOT/docs/openapi.yaml" \
		--url "$BASE" \
		--header "Authorization: Bearer $token" \
		--checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
		--phases examples,coverage,fuzzing \
		--max-examples "$MAX_EXAMPLES" \
		--seed 7 \
		--generation-database none \
		--workers 1 \
		--request-timeout 30 \
		--no-color \
		--warnings off \
		--report-dir "$LOG_DIR/schemathesis-$who")
}

# A crash of schemathesis itself ("Runtime Error", e.g. CPython 3.11's AST recursion-depth
# check tripping inside its generators) is not a finding about the API: that run is made again,
# once. Any failed check (a "Failures" summary) fails at once; so does a second crash.
run_checked() {
	local who="$1" token="$2" out status=0
	out="$LOG_DIR/schemathesis-$who.log"
	run_as "$who" "$token" 2>&1 | tee "$out" || status=${PIPESTATUS[0]}
	if ((status != 0)) && grep -q "Runtime Error" "$out" && ! grep -q "^Failures:" "$out"; then
		log "schemathesis crashed (a tool error, not a finding); running it again once"
		status=0
		run_as "$who" "$token" || status=$?
	fi
	return "$status"
}

suffix="$(date +%s)-$$"
status=0
run_checked seeker "$(token "st-seeker-$suffix" '[]')" || status=$?
run_checked admin "$(token "st-admin-$suffix" '["admins"]')" || status=$?
exit "$status"
