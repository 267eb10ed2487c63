#!/usr/bin/env bash
# `make test` (and CI): install, lint, build, then every test against a local stack started on
# test ports (no demo data), then stop it.
#   infra/local/test.sh        everything
#   infra/local/test.sh lint   only fmt, clippy, cargo machete, module cycles, cfn-lint, sam validate and checkov (`make lint`)
# Ports (override by env): DYNAMODB_PORT=8100 SES_PORT=8101 HTTP_PORT=3100 WS_PORT=3101 CHIME_PORT=3102
# and LAMBDA_PORT (the lambda-smoke phase's Runtime API emulator; default HTTP_PORT + 6000),
# WEB_PORT=3103 (the front end's local server, for its browser tests).
# A failed lint phase is reported and the run goes on to the tests (the exit status is still
# non-zero); FAIL_FAST=1 stops at the first failure. Install, build and start-up failures stop.
# Functions below are called through phase/must/check, which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

MODE="${1:-all}"
[[ "$MODE" == all || "$MODE" == lint ]] || die "usage: $0 [lint]"

# Test ports differ from `make run`'s, so tests can run while the demo stack is up.
export DYNAMODB_PORT="${DYNAMODB_PORT:-8100}" SES_PORT="${SES_PORT:-8101}"
export HTTP_PORT="${HTTP_PORT:-3100}" WS_PORT="${WS_PORT:-3101}" CHIME_PORT="${CHIME_PORT:-3102}"
export WEB_PORT="${WEB_PORT:-3103}"
export_local_env
export GATEWAY_URL="http://127.0.0.1:$HTTP_PORT" WS_URL="ws://127.0.0.1:$WS_PORT"
# The chat load test sends 100 messages per sender in a burst, over the production limit of 30 a
# minute; the rate-limit test reads this value (gateway and tests share it) and goes over it.
export CHAT_RATE_LIMIT_PER_MINUTE="${CHAT_RATE_LIMIT_PER_MINUTE:-120}"
# The gateway stops an invocation at its template Timeout times this (AWS's own with 1, as
# `make run`): DynamoDB Local is tens of times slower than DynamoDB, and the races of the suite
# (hundreds of transactions on one item, on two shared cores) test invariants, not latency. The
# deadline tests (tests/api/deadlines.rs) run their own gateway with 1.
export LOCAL_TIMEOUT_SCALE="${LOCAL_TIMEOUT_SCALE:-3}"
# The tests write down every seeker's name, email and phone they give the service here; the
# phase after the tests looks for each one in the stack's logs (tests/support/personal_data.rs).
export PERSONAL_DATA_FILE="$LOG_DIR/test-personal-data.txt"
# SAM CLI: no telemetry, no update check.
export SAM_CLI_TELEMETRY=0 SAM_CLI_DISABLE_UPDATE_CHECK=1

declare -a PHASES=()
CURRENT_PHASE="" CURRENT_START=""
failed=0
run_start=$(now_s)

summary() {
	# A phase that ended the script itself (die, Ctrl-C) never got to record itself.
	[[ -n "$CURRENT_PHASE" ]] &&
		PHASES+=("$(printf '%-14s STOPPED %6ss' "$CURRENT_PHASE" "$(elapsed "$CURRENT_START")")")
	echo
	echo "== phases =="
	printf '  %s\n' "${PHASES[@]}"
	echo "  total: $(elapsed "$run_start")s"
}

# Own traps instead of lib.sh's (LOCAL_TRAPS_SET), so that every exit, even a `die` during
# start-up or a Ctrl-C, prints the phase table and stops the stack.
finish() {
	if ((${#PHASES[@]})) || [[ -n "$CURRENT_PHASE" ]]; then summary; fi
	local_cleanup
	# The plain closing line CI reads.
	if [[ -n "${TEST_TOTALS:-}" ]]; then echo "Tests: $TEST_TOTALS"; fi
}
LOCAL_TRAPS_SET=1
trap finish EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# phase NAME CMD...: runs CMD, records its time and status. Returns CMD's status.
phase() {
	local name="$1" t status=0
	shift
	echo
	echo "== $name: $* =="
	t=$(now_s)
	CURRENT_PHASE=$name CURRENT_START=$t
	"$@" || status=$?
	CURRENT_PHASE=""
	if ((status == 0)); then
		PHASES+=("$(printf '%-14s ok      %6ss' "$name" "$(elapsed "$t")")")
	else
		PHASES+=("$(printf '%-14s FAILED  %6ss  (exit %s)' "$name" "$(elapsed "$t")" "$status")")
		echo "!! $name FAILED (exit $status)" >&2
	fi
	return "$status"
}

# A phase whose failure ends the run.
must() {
	phase "$@" || exit 1
}

# A lint phase: its failure is recorded; the run goes on unless FAIL_FAST=1.
check() {
	phase "$@" || {
		failed=1
		if [[ "${FAIL_FAST:-}" == 1 ]]; then exit 1; fi
	}
}

# A missing template is a failure, never a skip.
template_present() {
	[[ -f template.yaml ]] && return 0
	echo "template.yaml not found at $ROOT/template.yaml: cannot lint the deployment template" >&2
	return 1
}
# cfn-lint on the template and on its SAM translation (catches references to missing
# resources), then sam validate --lint: see infra/lint-template.sh.
lint_template() { template_present && infra/lint-template.sh template.yaml; }
# The front end: TypeScript strict on the client generated from docs/openapi.yaml, and ESLint.
web_lint() { (cd web && npm run --silent typecheck && npx eslint . --max-warnings 0); }

# checkov on every CloudFormation template, offline (no Prisma Cloud guidelines, no version
# check): no failed check. A deliberate exception is a Metadata checkov skip in the template,
# and each one must carry its reason (a `comment:` right after its `- id:`).
lint_checkov() {
	template_present || return 1
	local checkov="$LOCAL_DIR/checkov-venv/bin/checkov" files=() f
	[[ -x "$checkov" ]] || {
		echo "checkov not installed in ${LOCAL_DIR#"$ROOT"/}/checkov-venv (run infra/local/install.sh)" >&2
		return 1
	}
	for f in template.yaml infra/*.yaml; do files+=(-f "$f"); done
	awk 'pending { if ($1 != "comment:") { print at ": checkov skip without a comment"; bad = 1 } pending = 0 }
		/- id: CKV/ { pending = 1; at = FILENAME ":" FNR }
		END { if (pending) { print at ": checkov skip without a comment"; bad = 1 } exit bad }' \
		template.yaml infra/*.yaml || return 1
	BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true CKV_PARSE_ERROR_FAIL=true \
		"$checkov" "${files[@]}" --framework cloudformation --compact --quiet --skip-download
}

start_stack() {
	start_stores
	start_gateway "$LOG_DIR/gateway-$HTTP_PORT.log" "$ROOT/target/debug/local-gateway"
}

stop_stack() { local_cleanup; }

must install infra/local/install.sh
check fmt cargo fmt --all --check
check clippy cargo clippy --workspace --all-targets -- -D warnings
# Dependencies declared and never used, in every crate of the repository (workspace and fuzz/).
check machete cargo machete
# No module imports another in a circle inside a crate (cargo only forbids it between crates).
check module-cycles bash -c 'infra/lint-module-cycles.py --self-test && infra/lint-module-cycles.py'
check template lint_template
check checkov lint_checkov
check web-lint web_lint

if [[ "$MODE" == lint ]]; then
	exit "$failed"
fi

must build cargo build --workspace --all-targets
must start-stack start_stack

test_status=0
# Unit, handler and integration tests (no doctests: there are none, and their empty
# "0 passed" summaries would close the log). The output is kept to total the counts below.
run_tests() {
	cargo test --workspace --lib --bins --tests -- --test-threads=8 2>&1 | tee "$LOG_DIR/cargo-test.log"
	return "${PIPESTATUS[0]}"
}
: >"$PERSONAL_DATA_FILE"
phase test run_tests || test_status=$?
# No personal data in any log line: every seeker's name, email and phone of the run, looked for
# in the gateway's log (the functions' log lines too: they run inside it). Counts only, never
# the offending lines (infra/local/personal-data-in-logs.sh).
phase no-pii-in-logs infra/local/personal-data-in-logs.sh "$PERSONAL_DATA_FILE" "$LOG_DIR/gateway-$HTTP_PORT.log" || {
	((test_status != 0)) || test_status=1
}
# Every function binary under cargo-lambda's Runtime API emulator, answering a real event of its
# kind against this stack: one result per function (see infra/local/lambda-smoke.sh).
run_lambda_smoke() {
	infra/local/lambda-smoke.sh 2>&1 | tee "$LOG_DIR/lambda-smoke.log"
	return "${PIPESTATUS[0]}"
}
phase lambda-smoke run_lambda_smoke || {
	((test_status != 0)) || test_status=1
}
# The closing line counts the cargo tests and the functions of the smoke phase; a smoke run that
# ended before its summary line counts as one failure.
TEST_TOTALS=$(awk '
	/^test result:/ { gsub(";", ""); p += $4; f += $6 }
	FILENAME ~ /lambda-smoke/ && /^lambda-smoke: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4; smoke = 1 }
	END { if (!smoke) f += 1; printf "%d passed, %d failed", p, f }' "$LOG_DIR/cargo-test.log" "$LOG_DIR/lambda-smoke.log")
# Hostile input against the OpenAPI document through the same gateway (bounded; see the script).
phase schemathesis infra/local/schemathesis.sh "$GATEWAY_URL" || {
	((test_status != 0)) || test_status=1
}
# The front end: unit tests, the production build, then the browser tests (Playwright on
# Debian's Chromium) through the local web server, against this same stack.
phase web-unit bash -c 'cd web && npx vitest run' || {
	((test_status != 0)) || test_status=1
}
web_browser() {
	(cd web && npm run --silent build >"$LOG_DIR/web-build.log" 2>&1) || {
		show_log_tail "$LOG_DIR/web-build.log"
		return 1
	}
	free_port_or_die "$WEB_PORT" web
	start_bg web "$LOG_DIR/web-$WEB_PORT.log" env -C "$ROOT" node web/server/serve.mjs
	wait_for_port "$WEB_PORT" web 20
	(cd web && npx playwright test) 2>&1 | tee "$LOG_DIR/web-browser.log"
	return "${PIPESTATUS[0]}"
}
phase web-browser web_browser || {
	((test_status != 0)) || test_status=1
}
if ((test_status != 0)); then
	show_log_tail "$LOG_DIR/gateway-$HTTP_PORT.log"
fi
phase stop-stack stop_stack || true

if ((test_status != 0)); then
	exit "$test_status"
fi
if ((failed != 0)); then
	echo "tests passed, but a lint phase failed (see above)" >&2
	exit 1
fi
exit 0
