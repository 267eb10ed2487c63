#!/usr/bin/env bash
# Demo data through the public API, as a person would make it: an admin creates advisors,
# then job seekers register themselves. Every identity (sub) is stable, so anyone can get a
# token for it, and a second run gets 409s and goes on.
#   usage: infra/local/seed-demo.sh [HTTP_BASE]   (default http://127.0.0.1:$HTTP_PORT or :3000)
# Needs curl and python3 (for JSON; jq may be missing).
set -euo pipefail

BASE="${1:-http://127.0.0.1:${HTTP_PORT:-3000}}"
BASE="${BASE%/}"
PEOPLE_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.local/demo-people.txt"
# The same people as JSON, for the front end's local sign-in page (web/server/serve.mjs serves it).
PEOPLE_JSON="${PEOPLE_FILE%.txt}.json"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

failures=0
ROWS="$TMP/rows.tsv"
: >"$ROWS"

# json key=value key:=raw_json ...  prints a JSON object (values as strings unless :=).
json() {
	python3 -c '
import json, sys
out = {}
for arg in sys.argv[1:]:
    if ":=" in arg:
        k, v = arg.split(":=", 1)
        out[k] = json.loads(v)
    else:
        k, v = arg.split("=", 1)
        out[k] = v
print(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
' "$@"
}

# field NAME < json: prints that top-level field ("" when absent).
field() {
	python3 -c '
import json, sys
try:
    v = json.load(sys.stdin).get(sys.argv[1], "")
except Exception:
    v = ""
print(v if isinstance(v, str) else json.dumps(v))
' "$1"
}

# call METHOD PATH TOKEN [BODY]: sets STATUS and BODY. Dies only when the gateway is unreachable.
call() {
	local method="$1" path="$2" token="$3" body="${4:-}"
	local -a args=(-sS -o "$TMP/body" -w '%{http_code}' --max-time 30 -X "$method"
		-H 'content-type: application/json')
	[[ -n "$token" ]] && args+=(-H "authorization: Bearer $token")
	[[ -n "$body" ]] && args+=(--data-binary "$body")
	if ! STATUS=$(curl "${args[@]}" "$BASE$path"); then
		echo "seed-demo: cannot reach $BASE$path" >&2
		exit 1
	fi
	BODY=$(cat "$TMP/body")
}

# email_of FIRST LAST: "élodie.fabre@example.fr" without accents: elodie.fabre@example.fr
email_of() {
	python3 -c '
import sys, unicodedata
s = ".".join(sys.argv[1:]).lower()
print(unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode() + "@example.fr")
' "$@"
}

token_body() { json sub="$1" email="$2" groups:="$3"; }

# token SUB EMAIL GROUPS_JSON: prints a local JWT.
token() {
	call POST /_local/token "" "$(token_body "$@")"
	[[ "$STATUS" == 200 || "$STATUS" == 201 ]] || {
		echo "seed-demo: POST /_local/token answered $STATUS: $BODY" >&2
		exit 1
	}
	field token <<<"$BODY"
}

# row ROLE SUB NAME EMAIL GROUPS_JSON: one line of the closing table.
row() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" \
		"curl -s -X POST $BASE/_local/token -H 'content-type: application/json' -d '$(token_body "$2" "$4" "$5")'" "$4" >>"$ROWS"
}

# report WHAT: 201 created, 409 already there, anything else counted as a failure.
report() {
	case "$STATUS" in
	200 | 201)
		local extra
		extra=$(field assignment <<<"$BODY")
		echo "  created $1${extra:+ (assignment: $extra)}"
		;;
	409) echo "  $1 already exists" ;;
	*)
		echo "  FAILED $1: HTTP $STATUS $BODY" >&2
		failures=$((failures + 1))
		;;
	esac
}

echo "Seeding demo data into $BASE"
ADMIN_EMAIL=admin.demo@example.fr
ADMIN_TOKEN=$(token demo-admin "$ADMIN_EMAIL" '["admins"]')
row admin demo-admin "Admin Démo" "$ADMIN_EMAIL" '["admins"]'

# sub | first | last | region | modality | capacity | work phone (a simulated phone of the
# local PSTN audio emulator: GET /_local/phones/<number>)
ADVISORS="demo-advisor-idf-web|Camille|Martin|11|web|250|+33140000001
demo-advisor-idf-guided|Julien|Bernard|11|guided|150|+33140000002
demo-advisor-occ-web|Sophie|Durand|76|web|5|+33561000003
demo-advisor-occ-reinforced|Karim|Benali|76|reinforced|70|+33561000004
demo-advisor-paca-web|Élodie|Fabre|93|web|250|+33491000005"

echo "Advisors:"
while IFS="|" read -r -u 3 sub first last region modality capacity phone; do
	email=$(email_of "$first" "$last")
	call POST /advisors "$ADMIN_TOKEN" "$(json sub="$sub" firstName="$first" lastName="$last" \
		email="$email" region="$region" modality="$modality" capacity:="$capacity" phone="$phone")"
	report "advisor $sub ($first $last, region $region, $modality, capacity $capacity)"
	row advisor "$sub" "$first $last" "$email" '["advisors"]'
done 3<<<"$ADVISORS"

# sub | first | last | region | phone. Level starts `guided`, which the web modality serves:
# the four in Occitanie fill the capacity-5 web advisor there to 4 (its reinforced colleague
# does not serve `guided`).
SEEKERS="demo-seeker-occ-1|Lucas|Moreau|76|+33612345601
demo-seeker-occ-2|Emma|Lefèvre|76|+33612345602
demo-seeker-occ-3|Hugo|Garnier|76|+33612345603
demo-seeker-occ-4|Chloé|Roux|76|+33612345604
demo-seeker-idf-1|Léa|Petit|11|+33612345611
demo-seeker-idf-2|Thomas|Dubois|11|+33612345612
demo-seeker-idf-3|Manon|Laurent|11|+33612345613
demo-seeker-paca-1|Nathan|Fournier|93|+33612345631
demo-seeker-paca-2|Inès|Mercier|93|+33612345632"

echo "Job seekers:"
while IFS="|" read -r -u 3 sub first last region phone; do
	email=$(email_of "$first" "$last")
	seeker_token=$(token "$sub" "$email" '[]')
	call POST /seekers "$seeker_token" "$(json firstName="$first" lastName="$last" email="$email" \
		phone="$phone" region="$region" preferredChannels:='["video","chat"]' consent:=true)"
	report "seeker $sub ($first $last, region $region)"
	row seeker "$sub" "$first $last" "$email" '[]'
done 3<<<"$SEEKERS"

# ---- The interview room (issue 15): a video interview of Lucas Moreau with Sophie Durand
# inside the join window, so the advisor's room and the seeker's video page open at once.
# Through the public API, as people would: Lucas books a slot past the booking notice, then
# Sophie moves the interview onto a slot of hers starting at the next 5-minute boundary (an
# advisor may move an interview to any future slot) and deletes the slot it left. A second run
# against the same stack finds the interview and makes none. Written to .local/demo-interview.txt,
# which make run prints.
ROOM_FILE="$(dirname "$PEOPLE_FILE")/demo-interview.txt"
echo "Interview room:"
room_seeker=$(token demo-seeker-occ-1 "$(email_of Lucas Moreau)" '[]')
room_advisor=$(token demo-advisor-occ-web "$(email_of Sophie Durand)" '["advisors"]')
# instant SECONDS: the 5-minute boundary at or before now + SECONDS, a UTC instant.
instant() { python3 -c 'import sys, time, datetime; s = int(time.time() + int(sys.argv[1])) // 300 * 300; print(datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$1"; }
# first_slot < body: the slotId of POST /advisors/me/slots' first item.
first_slot() { python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["slotId"])' 2>/dev/null || true; }
call GET "/seekers/me/interviews?scope=all&limit=100" "$room_seeker"
room_id=$(python3 -c '
import json, sys, time, datetime
now = time.time()
for i in json.load(sys.stdin).get("items", []):
    start = datetime.datetime.fromisoformat(i["start"]).timestamp()
    end = datetime.datetime.fromisoformat(i["end"]).timestamp()
    if i["status"] == "booked" and i["channel"] == "video" and start - 900 <= now < end - 600:
        print(i["interviewId"]); break
' <<<"$BODY" 2>/dev/null || true)
if [[ -n "$room_id" ]]; then
	echo "  the video interview $room_id is already in its join window"
else
	what="video interview of Lucas Moreau with Sophie Durand, starting within 5 minutes"
	call POST /advisors/me/slots "$room_advisor" "$(json start="$(instant $((2 * 86400 + 300)))" durationMinutes:=30 channels:='["video"]')"
	far_slot=$(first_slot <<<"$BODY")
	[[ "$STATUS" == 201 ]] && call POST /interviews "$room_seeker" "$(json slotId="$far_slot" channel=video)"
	[[ "$STATUS" == 201 ]] && room_id=$(field interviewId <<<"$BODY") &&
		call POST /advisors/me/slots "$room_advisor" "$(json start="$(instant 360)" durationMinutes:=120 channels:='["video","phone"]')"
	[[ "$STATUS" == 201 && -n "$room_id" ]] && call POST "/interviews/$room_id/reschedule" "$room_advisor" "$(json slotId="$(first_slot <<<"$BODY")")"
	report "$what"
	if [[ "$STATUS" == 200 && -n "$room_id" ]]; then
		# The slot the interview left is open again: gone, so the agenda shows only the demo's.
		call DELETE "/advisors/me/slots/$far_slot" "$room_advisor"
	else
		room_id=""
	fi
fi
if [[ -n "$room_id" ]]; then
	WEB="http://127.0.0.1:${WEB_PORT:-3003}"
	cat >"$ROOM_FILE" <<ROOM
Interview room, open now (a video interview of Lucas Moreau with Sophie Durand, inside its join window):
  the advisor's room   $WEB/connexion?as=demo-advisor-occ-web&groupe=advisors&vers=/conseiller/entretiens/$room_id
  the seeker's video   $WEB/connexion?as=demo-seeker-occ-1&vers=/rendez-vous/$room_id/video
  the advisor's messages  $WEB/connexion?as=demo-advisor-occ-web&groupe=advisors&vers=/conseiller/messages
ROOM
	cat "$ROOM_FILE"
else
	rm -f "$ROOM_FILE"
fi

# One open in-person request in Sophie Durand's portfolio, so that her requests page (and the
# portfolio's column) has something to answer; a second run gets 409 request_open.
echo "In-person requests:"
emma_token=$(token demo-seeker-occ-2 "$(email_of Emma Lefèvre)" '[]')
call POST /seekers/me/in-person-requests "$emma_token" \
	"$(json reason="Je souhaite signer mon contrat d'engagement en agence.")"
report "in-person request of demo-seeker-occ-2 (Emma Lefèvre)"

# The closing table, also kept in .local/demo-people.txt.
mkdir -p "$(dirname "$PEOPLE_FILE")"
python3 -c '
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")]
rows.insert(0, ["ROLE", "SUB", "NAME", "GET A TOKEN"])
w = [max(len(r[i]) for r in rows) for i in range(3)]
for r in rows:
    print("  ".join(r[i].ljust(w[i]) for i in range(3)) + "  " + r[3])
' "$ROWS" | tee "$PEOPLE_FILE"
echo "(this table is kept in ${PEOPLE_FILE#"$PWD"/})"
python3 -c '
import json, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")]
people = [{"role": r[0], "sub": r[1], "name": r[2], "email": r[4]} for r in rows]
json.dump({"people": people}, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
' "$ROWS" "$PEOPLE_JSON"

if ((failures > 0)); then
	echo "seed-demo: $failures request(s) failed" >&2
	exit 1
fi
