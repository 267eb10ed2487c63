#!/usr/bin/env python3
"""One advisor with ROWS seekers in their portfolio, through the public API (bench only).

usage: seed-portfolio.py BASE ADVISOR_SUB ROWS REGION
The advisor is alone in REGION (a bench stack is fresh), so every registration there lands in
their portfolio; one seeker in three is moved to the follow-up level, so the level filter has
work to do. Names are varied (accents included) so that the search matches some rows, not all.
"""
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base, advisor_sub, rows, region = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def call(method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        if e.code == 409:
            return None
        raise


def tok(sub, groups, email=None):
    # Registration writes to the token's verified email only: a seeker's token carries one.
    return call("POST", "/_local/token", body={"sub": sub, "groups": groups, "email": email})["token"]


admin = tok("bench-web-admin", ["admins"])
call("POST", "/advisors", admin, {"sub": advisor_sub, "firstName": "Paul", "lastName": "Bureau",
                                  "email": "paul.bureau@example.fr", "region": region, "modality": "web", "capacity": rows})
advisor = tok(advisor_sub, ["advisors"])
FIRST = ["Léa", "Hugo", "Chloé", "Louis", "Inès", "Jules", "Zoé", "Adam", "Éloïse", "Noah", "Manon", "Yanis"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Lefèvre", "Garnier", "Faure"]


def register(i):
    sub = f"{advisor_sub}-seeker-{i}"
    token = tok(sub, [], f"{sub}@example.fr")
    body = call("POST", "/seekers", token, {"firstName": FIRST[i % len(FIRST)], "lastName": f"{LAST[i % len(LAST)]}-{i}",
                                            "email": f"{sub}@example.fr", "region": region,
                                            "preferredChannels": ["video", "chat"], "consent": True})
    if body and i % 3 == 0:
        call("PUT", f"/seekers/{body['seekerId']}/level", advisor, {"level": "follow_up", "reason": "bench"})


with ThreadPoolExecutor(8) as pool:
    list(pool.map(register, range(rows)))
print(f"seed-portfolio: {advisor_sub} has {rows} seekers")
