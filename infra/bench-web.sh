#!/usr/bin/env bash
# The front end's budgets (part of `make bench`, never of `make test`): a local stack on bench
# ports, one seeker with an advisor and open slots, the built front end behind its local
# server, then web/bench/lighthouse.mjs (initial JavaScript gzipped; Lighthouse mobile on the
# home and booking pages) and web/bench/portfolio.mjs (an advisor's 250-seeker portfolio: open,
# search, level filter). Figures in .local/bench/web-budgets.json and web-portfolio.json; copy
# them to docs/benchmarks.md. BENCH_ONLY=portfolio runs the portfolio measurement alone.
# Ports (override by env): DYNAMODB_PORT=8500 SES_PORT=8501 HTTP_PORT=3500 WS_PORT=3501
# CHIME_PORT=3502 WEB_PORT=3503. WEB_DIST builds and serves another folder than web/dist;
# BENCH_NO_BUILD=1 uses the gateway already built (both: to run beside `make test`).
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
cd "$ROOT"
export DYNAMODB_PORT="${DYNAMODB_PORT:-8500}" SES_PORT="${SES_PORT:-8501}" HTTP_PORT="${HTTP_PORT:-3500}"
export WS_PORT="${WS_PORT:-3501}" CHIME_PORT="${CHIME_PORT:-3502}" WEB_PORT="${WEB_PORT:-3503}"
export_local_env

infra/local/install.sh
[[ "${BENCH_NO_BUILD:-}" == 1 && -x target/debug/local-gateway ]] || cargo build -p local-gateway
mkdir -p "$LOG_DIR"
export WEB_DIST="${WEB_DIST:-$ROOT/web/dist}"
(cd web && npm run --silent gen:api && npx vite build --outDir "$WEB_DIST" --emptyOutDir >"$LOG_DIR/web-build.log" 2>&1) || {
	show_log_tail "$LOG_DIR/web-build.log"
	die "the front end did not build"
}
free_port_or_die "$WEB_PORT" web
start_stores
start_gateway "$LOG_DIR/gateway-$HTTP_PORT.log" "$ROOT/target/debug/local-gateway"
start_bg web "$LOG_DIR/web-$WEB_PORT.log" env -C "$ROOT" node web/server/serve.mjs
wait_for_port "$WEB_PORT" web 20

# One advisor with a week of open slots, one seeker of theirs (through the public API).
BASE="http://127.0.0.1:$HTTP_PORT"
SEEKER_SUB=bench-web-seeker
python3 - "$BASE" "$SEEKER_SUB" <<'PY'
import json, sys, urllib.request, datetime
base, seeker_sub = sys.argv[1], sys.argv[2]
def call(method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token: req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
tok = lambda sub, groups, email=None: call("POST", "/_local/token", body={"sub": sub, "groups": groups, "email": email})["token"]
admin = tok("bench-web-admin", ["admins"])
call("POST", "/advisors", admin, {"sub": "bench-web-advisor", "firstName": "Claire", "lastName": "Bench", "email": "claire.bench@example.fr", "region": "28", "modality": "web"})
advisor = tok("bench-web-advisor", ["advisors"])
seeker = tok(seeker_sub, [], "leo.mesure@example.fr")  # registration writes to the verified address only
call("POST", "/seekers", seeker, {"firstName": "Léo", "lastName": "Mesure", "email": "leo.mesure@example.fr", "region": "28", "preferredChannels": ["video"], "consent": True})
day = datetime.datetime.now(datetime.timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0)
for d in range(2, 9):
    for h in (8, 9, 13):
        start = (day + datetime.timedelta(days=d)).replace(hour=h)
        call("POST", "/advisors/me/slots", advisor, {"start": start.strftime("%Y-%m-%dT%H:%M:00Z"), "durationMinutes": 30, "channels": ["video", "phone"]})
print("bench-web: seeded one advisor, one seeker, 21 slots")
PY

# The advisor's desk: a portfolio of 250 seekers (PRODUCT.md's web portfolio), open and filter.
python3 web/bench/seed-portfolio.py "$BASE" bench-web-desk 250 24
cd web
# BENCH_ONLY=portfolio skips Lighthouse (a few minutes) to measure the portfolio alone.
[[ "${BENCH_ONLY:-}" == portfolio ]] || node bench/lighthouse.mjs "http://127.0.0.1:$WEB_PORT" "$SEEKER_SUB"
node bench/portfolio.mjs "http://127.0.0.1:$WEB_PORT" bench-web-desk 250
