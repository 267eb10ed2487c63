#!/usr/bin/env bash
# `make test-stop`: `make run` must leave no process and no port behind, however it ends.
#   infra/local/test-stop.sh [ROUNDS] [SCENARIO...]     default 1 round of every scenario
# Each scenario starts `make run` (own ports, below) in a process group of its own, under a
# parent shell, as a supervisor or a test harness would, waits for a moment of its start, ends
# it one way, waits for make to end (30 s at most), then checks at once that no process of
# that run is left (every process carries a marker in its environment; zombies count too) and
# that every port of the stack is free, as a supervisor starting the next `make run` would:
#   term-seeding   TERM to the group while the demo data is being seeded
#   term-seeded    TERM to the group right after the seeding's last line
#   term-twice     TERM to the group twice, 0.1 s apart, right after the seeding (a supervisor
#                  repeating it; GNU make also sends its child a TERM of its own after the group's)
#   term-later     TERM to the group 3 s after the stack said it is running
#   int-twice      INT to the group twice, 0.2 s apart (Ctrl-C twice), right after the seeding
#   parent-killed  KILL to the parent of make only (no signal to the group)
# The stack is started for real (DynamoDB Local, moto, the gateway, the seeding): 30 to 60 s a
# scenario on the 2 shared cores, 3.5 to 5 min a round, so this is not part of `make test`. Needs a built target/debug/local-gateway
# (run.sh builds it; a concurrent cargo build of the same target dir makes the first round wait).
# Ports (override by env): DYNAMODB_PORT=8200 SES_PORT=8201 HTTP_PORT=3200 WS_PORT=3201 CHIME_PORT=3202
set -euo pipefail

# Orphans (make, once its parent is killed) must be reaped by someone: PID 1 of a container may
# never reap them. So this script makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER,
# kept across exec) and bash reaps what is re-parented to it.
if [[ -z "${TEST_STOP_SUBREAPER:-}" ]]; then
	export TEST_STOP_SUBREAPER=1
	exec python3 -c '
import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
os.execv("/bin/bash", ["bash"] + sys.argv[1:])' "$0" "$@"
fi

# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ROUNDS="${1:-1}"
shift || true
ALL_SCENARIOS=(term-seeding term-seeded term-twice term-later int-twice parent-killed)
if (($#)); then SCENARIOS=("$@"); else SCENARIOS=("${ALL_SCENARIOS[@]}"); fi
export DYNAMODB_PORT="${DYNAMODB_PORT:-8200}" SES_PORT="${SES_PORT:-8201}"
export HTTP_PORT="${HTTP_PORT:-3200}" WS_PORT="${WS_PORT:-3201}" CHIME_PORT="${CHIME_PORT:-3202}"
PORTS=("$DYNAMODB_PORT" "$SES_PORT" "$HTTP_PORT" "$WS_PORT" "$CHIME_PORT")
OUT="$LOG_DIR/test-stop"
mkdir -p "$OUT"

for port in "${PORTS[@]}"; do free_port_or_die "$port" "test-stop"; done

# Starts CMD in a new session and process group, with INT and QUIT back to their defaults (a
# background job of a script ignores them, and bash cannot trap a signal ignored at its start),
# as a terminal's foreground job has them. Prints nothing; $! is the group's id.
spawn_group() {
	python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@" &
}

# The state letter of /proc/PID/stat (R, S, Z, ...), empty once PID is gone.
state_of() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

# Pids (with state and command) of live or zombie processes whose environment has MARK; a
# zombie's environment cannot be read, so the pids seen earlier are checked too.
marked() {
	local mark="$1" dir pid state
	shift
	declare -A seen=()
	for dir in /proc/[0-9]*; do
		pid=${dir#/proc/}
		[[ "$pid" == "$$" ]] && continue
		if { tr '\0' '\n' <"$dir/environ" | grep -qxF "TEST_STOP_MARK=$mark"; } 2>/dev/null; then
			seen[$pid]=1
		fi
	done
	for pid in "$@"; do [[ -e /proc/$pid ]] && seen[$pid]=1; done
	for pid in "${!seen[@]}"; do
		state=$(state_of "$pid")
		[[ -n "$state" ]] || continue
		printf '%s %s %s\n' "$pid" "$state" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-100)"
	done
}

# wait_for_line FILE PATTERN TIMEOUT_S: until a line of FILE matches (grep -E).
wait_for_line() {
	local deadline=$((SECONDS + $3))
	until grep -qE "$2" "$1" 2>/dev/null; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}

passed=0 failed=0
declare -a RESULTS=()

# The pid of the make child of PARENT (empty until there is one).
make_of() {
	local stat pid
	for stat in /proc/[0-9]*/stat; do
		{ read -r stat <"$stat"; } 2>/dev/null || continue
		pid=${stat%% *}
		[[ "$stat" == *" (make) "* ]] || continue
		stat=${stat##*) }
		stat=${stat#* }
		[[ "${stat%% *}" == "$1" ]] && echo "$pid" && return 0
	done
	return 0
}

one_round() {
	local scenario="$1" round="$2"
	local mark="stop-$$-$round-$scenario" log="$OUT/$$-$scenario-$round.log"
	local parent make_pid t0 moment ok=1 stopped_in left ports_busy="" deadline t_signal
	local -a before
	: >"$log"
	t0=$(now_s)
	case "$scenario" in
	term-seeding) moment='^Seeding demo data into' ;;
	term-seeded | term-twice | int-twice) moment='^\(this table is kept in' ;;
	term-later | parent-killed) moment="Ctrl-C stops everything" ;;
	*) die "unknown scenario $scenario (one of ${ALL_SCENARIOS[*]})" ;;
	esac
	# A parent shell (the "supervisor") running make in the foreground, all in one new group
	# whose id is the parent's pid.
	spawn_group env TEST_STOP_MARK="$mark" bash -c 'make --no-print-directory -C "$1" run; echo "[test-stop] make exited with status $?"' \
		parent "$ROOT" >"$log" 2>&1 </dev/null
	parent=$!
	if ! wait_for_line "$log" "$moment" 180; then
		echo "!! $scenario #$round: never reached /$moment/ (see ${log#"$ROOT"/})" >&2
		ok=0
	fi
	case "$scenario" in
	term-later | parent-killed) sleep 3 ;;
	term-seeding) sleep 0.3 ;;
	esac
	make_pid=$(make_of "$parent")
	mapfile -t before < <(marked "$mark" | cut -d' ' -f1)
	t_signal=$(now_s)
	case "$scenario" in
	term-seeding | term-seeded | term-later) kill -TERM -- "-$parent" 2>/dev/null || true ;;
	term-twice)
		# A supervisor repeating its TERM, or make's own TERM to its child arriving late.
		kill -TERM -- "-$parent" 2>/dev/null || true
		sleep 0.1
		kill -TERM -- "-$parent" 2>/dev/null || true
		;;
	int-twice)
		kill -INT -- "-$parent" 2>/dev/null || true
		sleep 0.2
		kill -INT -- "-$parent" 2>/dev/null || true
		;;
	parent-killed)
		# No job notice ("Killed") for this one: it is the point.
		disown "$parent"
		kill -KILL "$parent" 2>/dev/null || true
		;;
	esac
	# `make run` itself must end (30 s at most: a stop waits up to 5 s on TERM, then KILLs)...
	deadline=$((SECONDS + 30))
	while [[ -n "$make_pid" && -n "$(state_of "$make_pid" | tr -d Z)" ]] && ((SECONDS < deadline)); do
		sleep 0.05
	done
	stopped_in=$(elapsed "$t_signal")
	if [[ -n "$make_pid" && -n "$(state_of "$make_pid" | tr -d Z)" ]]; then
		echo "!! $scenario #$round: make run still running ${stopped_in}s after the signal" >&2
		ok=0
	fi
	# ... and when it has, nothing of the stack may be left running, nor any port open: what a
	# supervisor starting the next `make run` at once would meet.
	left=$(marked "$mark" "${before[@]}" | awk -v make="$make_pid" -v parent="$parent" '$2 != "Z" && $1 != make && $1 != parent')
	for port in "${PORTS[@]}"; do
		if port_open "$port"; then ports_busy+=" $port"; fi
	done
	[[ "$scenario" == parent-killed ]] || { wait "$parent"; } 2>/dev/null || true
	# Zombies: what was re-parented to this script (a subreaper) is reaped by now.
	sleep 0.3
	left+=$(marked "$mark" "${before[@]}" | awk '$2 == "Z" { print "\n" $0 " (zombie)" }')
	left=$(sed '/^$/d' <<<"$left")
	if [[ -n "$left" || -n "$ports_busy" ]]; then
		ok=0
		echo "!! $scenario #$round: left behind when make run ended (${stopped_in}s after the signal):" >&2
		[[ -n "$left" ]] && sed 's/^/     /' <<<"$left" >&2
		[[ -n "$ports_busy" ]] && echo "     ports still open:$ports_busy" >&2
		# Clean up for the next round, whatever it takes.
		while read -r pid _; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null; done <<<"$left" || true
		deadline=$((SECONDS + 10))
		while [[ -n "$(marked "$mark" | awk '$2 != "Z"')" ]] && ((SECONDS < deadline)); do sleep 0.2; done
	fi
	if ((ok)); then
		passed=$((passed + 1))
		RESULTS+=("$(printf '%-14s #%-3s ok      make run ended %5ss after the signal (%d processes), %5ss in all' \
			"$scenario" "$round" "$stopped_in" "${#before[@]}" "$(elapsed "$t0")")")
	else
		failed=$((failed + 1))
		RESULTS+=("$(printf '%-14s #%-3s FAILED  see %s' "$scenario" "$round" "${log#"$ROOT"/}")")
	fi
	echo "${RESULTS[-1]}"
}

echo "test-stop: $ROUNDS round(s) of ${SCENARIOS[*]} on ports ${PORTS[*]}"
for ((round = 1; round <= ROUNDS; round++)); do
	for scenario in "${SCENARIOS[@]}"; do
		one_round "$scenario" "$round"
	done
done
echo
echo "test-stop: $passed passed, $failed failed"
((failed == 0))
