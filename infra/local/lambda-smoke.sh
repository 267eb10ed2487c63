#!/usr/bin/env bash
# The lambda-smoke phase of `make test`: every function binary that `make test` built
# (target/debug/<bin>, no extra compilation) runs as a process under the Lambda Runtime API
# emulator of cargo-lambda (`cargo lambda watch --only-lambda-apis`) and answers a real event of
# its kind (tests/events/), checked against the running test stack. See tests/bin/lambda_smoke.rs.
#
# Run by test.sh while its stack is up; by hand, next to a stack started with the same ports:
#   infra/local/lambda-smoke.sh
# Ports: the stack's (DYNAMODB_PORT, SES_PORT, HTTP_PORT, WS_PORT, CHIME_PORT) and LAMBDA_PORT for
# the emulator (default HTTP_PORT + 6000: 9100 beside test.sh's 3100).
# Everything it starts is in one process group, stopped on every exit (Ctrl-C included).
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export DYNAMODB_PORT="${DYNAMODB_PORT:-8100}" SES_PORT="${SES_PORT:-8101}"
export HTTP_PORT="${HTTP_PORT:-3100}" WS_PORT="${WS_PORT:-3101}" CHIME_PORT="${CHIME_PORT:-3102}"
export_local_env
export GATEWAY_URL="${GATEWAY_URL:-http://127.0.0.1:$HTTP_PORT}"
export LAMBDA_PORT="${LAMBDA_PORT:-$((HTTP_PORT + 6000))}"
export CARGO_LAMBDA="${CARGO_LAMBDA:-$VENV_DIR/bin/cargo-lambda}"

[[ -x "$CARGO_LAMBDA" ]] || die "cargo-lambda missing at $CARGO_LAMBDA (run infra/local/install.sh)"
smoke="$ROOT/target/debug/lambda-smoke"
[[ -x "$smoke" ]] || die "$smoke is not built (cargo build --workspace --all-targets)"
port_open "$HTTP_PORT" || die "no local gateway on 127.0.0.1:$HTTP_PORT: start the stack first (make test does)"
free_port_or_die "$LAMBDA_PORT" "cargo lambda watch (LAMBDA_PORT)"

smoke_pid=""
# Called by the trap only, which shellcheck cannot follow.
# shellcheck disable=SC2317
stop_smoke() {
	[[ -n "$smoke_pid" ]] || return 0
	# The whole group: the smoke runner, cargo lambda watch and any function process.
	kill -TERM -- "-$smoke_pid" 2>/dev/null || true
	wait "$smoke_pid" 2>/dev/null || true
	kill -KILL -- "-$smoke_pid" 2>/dev/null || true
	smoke_pid=""
}
trap stop_smoke EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Its own process group (setsid), so that the trap above can stop all of it at once.
setsid "$smoke" &
smoke_pid=$!
status=0
wait "$smoke_pid" || status=$?
# The EXIT trap then stops whatever the runner left behind in its group (it stops its
# children itself on a normal exit).
exit "$status"
