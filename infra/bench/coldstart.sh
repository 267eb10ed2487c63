#!/usr/bin/env bash
# Cold start and peak memory of every function binary, side by side with a Node.js 20 handler
# doing one DynamoDB PutItem (AWS SDK for JavaScript v3) and a Rust one doing the same write:
# tests/bin/coldstart.rs serves a minimal Lambda Runtime API, starts each process on it with
# the Lambda environment, hands it one real event (tests/events/) and measures, per function,
# init (spawn -> its first GET .../invocation/next, Lambda's Init Duration), first answer (that
# next -> the response POST), their sum (spawn -> answer) and VmHWM. A step of `make bench`; alone:
#   infra/bench/coldstart.sh
# Uses the local stack on HTTP_PORT if one is up (bench.sh starts it), else starts its own.
#   COLDSTART_PROFILE  cargo profile of the measured Rust binaries: bench-local (default: release
#                      code without LTO, minutes faster to build) or release (fat LTO, as shipped)
#   COLDSTART_RUNS     timed runs per function (default 10, after one warm-up run)
#   COLDSTART_ONLY     a comma-separated list of programs to measure (default: every one)
#   COLDSTART_PORT     the Runtime API's port (default HTTP_PORT + 6001)
# Ports (override by env): DYNAMODB_PORT=8300 SES_PORT=8301 HTTP_PORT=3300 WS_PORT=3301 CHIME_PORT=3302
# The table goes to .local/logs/coldstart.md, every timed run to .local/logs/coldstart-runs.csv;
# the header names the commit measured, so a later run (after a change) compares with this one.
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"
cd "$ROOT"

export DYNAMODB_PORT="${DYNAMODB_PORT:-8300}" SES_PORT="${SES_PORT:-8301}"
export HTTP_PORT="${HTTP_PORT:-3300}" WS_PORT="${WS_PORT:-3301}" CHIME_PORT="${CHIME_PORT:-3302}"
export_local_env
export GATEWAY_URL="http://127.0.0.1:$HTTP_PORT"
export LOCAL_SCHEDULER=off
PROFILE="${COLDSTART_PROFILE:-bench-local}"
export COLDSTART_RUNS="${COLDSTART_RUNS:-10}"
export COLDSTART_PORT="${COLDSTART_PORT:-$((HTTP_PORT + 6001))}"
export COLDSTART_BIN_DIR="$ROOT/target/$PROFILE"
[[ "$PROFILE" == bench-local || "$PROFILE" == release ]] || die "COLDSTART_PROFILE is bench-local or release"

# --- the Node.js 20 baseline, installed with npm from its committed lock file ----------------
NODE_SRC="$ROOT/infra/bench/node-coldstart"
NODE_DIR="$LOCAL_DIR/node-coldstart"
export NODE_BIN="${NODE_BIN:-$(command -v node || true)}"
[[ -n "$NODE_BIN" ]] || die "node not found (Node.js 20 is needed for the baseline)"
node_major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "Node.js $("$NODE_BIN" --version) found; the baseline needs 20 or later"
lock_hash=$(cat "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" | sha256sum | cut -c1-16)
mkdir -p "$NODE_DIR"
cp "$NODE_SRC/bootstrap.mjs" "$NODE_DIR/"
if [[ -f "$NODE_DIR/.installed-$lock_hash" && -d "$NODE_DIR/node_modules/@aws-sdk/client-dynamodb" ]]; then
	log "node baseline: ok (${NODE_DIR#"$ROOT"/})"
else
	log "node baseline: npm ci into ${NODE_DIR#"$ROOT"/}"
	cp "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" "$NODE_DIR/"
	rm -f "$NODE_DIR"/.installed-*
	(cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
	touch "$NODE_DIR/.installed-$lock_hash"
fi
export NODE_BOOTSTRAP="$NODE_DIR/bootstrap.mjs"

# --- the Rust binaries: the template's functions and the PutItem baseline, optimised -----------
# The template's functions and the PSTN audio handler (infra/pstn-audio.yaml, its own stack).
mapfile -t binaries < <(awk '$1 == "Binary:" { print $2 }' template.yaml infra/pstn-audio.yaml)
((${#binaries[@]})) || die "no Binary: in template.yaml"
bin_args=()
for bin in "${binaries[@]}"; do bin_args+=(--bin "$bin"); done
log "building ${#binaries[@]} functions and putitem with --profile $PROFILE"
# One invocation, so the functions get exactly the features they get when built alone.
nice cargo build --profile "$PROFILE" "${bin_args[@]}" --bin putitem
# The harness is the debug build of `make test` (its share of a measure is two small HTTP
# exchanges on loopback); building it optimised would rebuild hyper and its dependants with
# the server features the functions do not use.
cargo build -p integration-tests --bin coldstart

# --- a stack, unless one is up ------------------------------------------------------------------
if port_open "$HTTP_PORT"; then
	log "using the local stack on 127.0.0.1:$HTTP_PORT"
else
	start_stores
	# The gateway is the debug build of `make test` (it only seeds and serves JWKS/Chime here).
	[[ -x "$ROOT/target/debug/local-gateway" ]] || cargo build -p local-gateway
	start_gateway "$LOG_DIR/gateway-$HTTP_PORT.log" "$ROOT/target/debug/local-gateway"
fi
free_port_or_die "$COLDSTART_PORT" "coldstart Runtime API (COLDSTART_PORT)"

out="$LOG_DIR/coldstart.md"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain --untracked-files=no -- functions infra tests Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
	commit+=" (with uncommitted changes)"
fi
{
	echo "Cold start (init and first answer) and peak memory: $COLDSTART_RUNS runs per function, profile $PROFILE,"
	echo "commit $commit ($(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?')), $(rustc --version),"
	echo "$(nproc) cores $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
	echo
} | tee "$out"
"$ROOT/target/debug/coldstart" | tee -a "$out"
echo "(also in ${out#"$ROOT"/})"
