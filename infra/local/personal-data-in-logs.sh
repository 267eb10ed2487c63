#!/usr/bin/env bash
# No personal data in any log line: every seeker's name, email and phone number that the tests
# gave the service (written down by tests/support/personal_data.rs in VALUES) is looked for in
# the stack's logs. Fails with the number of offending lines per log, never the lines themselves
# (they would put the data in the test output).
#   infra/local/personal-data-in-logs.sh VALUES LOG...
set -euo pipefail
values="${1:?usage: $0 VALUES LOG...}"
shift
(($# > 0)) || { echo "no log to check" >&2; exit 2; }
[[ -s "$values" ]] || { echo "$values is empty: the tests wrote down no personal data, so nothing was checked" >&2; exit 1; }
# Values of 3 characters or more (a shorter one would match unrelated text), each once.
patterns=$(mktemp)
trap 'rm -f "$patterns"' EXIT
awk 'length($0) >= 3' "$values" | sort -u >"$patterns"
status=0
for log in "$@"; do
	[[ -f "$log" ]] || { echo "$log: missing" >&2; status=1; continue; }
	lines=$(grep -c -F -f "$patterns" -- "$log" || true)
	if ((lines > 0)); then
		echo "$log: $lines line(s) hold personal data of a test seeker (name, email or phone)" >&2
		status=1
	else
		echo "$log: no personal data among $(wc -l <"$log") lines ($(wc -l <"$patterns") values looked for)"
	fi
done
exit "$status"
