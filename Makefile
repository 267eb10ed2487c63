# Local development. The scripts in infra/local/ do the work; see infra/local/*.sh.
SHELL := /bin/bash
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

.PHONY: run test test-stop lint fmt install clean-local package bench bench-costs bench-web bench-reminders fuzz

# The whole local stack in the foreground, with demo data; Ctrl-C stops it.
run:
	@"$(ROOT)/infra/local/run.sh"

# Lint, build, then every test against a local stack on test ports.
test:
	@"$(ROOT)/infra/local/test.sh"

# `make run` stopped in every way (TERM to its group during and after the seeding, INT twice,
# its parent killed): no process and no port may be left. ROUNDS=10 for a loop; 30 to 60 s a
# scenario, six scenarios a round (3.5 to 5 min), so never part of `make test`.
test-stop:
	@"$(ROOT)/infra/local/test-stop.sh" $(or $(ROUNDS),1)

# cargo fmt --check, clippy -D warnings, cargo machete, cfn-lint and sam validate --lint.
lint:
	@"$(ROOT)/infra/local/test.sh" lint

# Every function binary for Lambda arm64 (cargo-lambda, release), zipped; prints each zip's size.
# Several minutes on 2 cores; never part of `make test`.
package:
	@"$(ROOT)/infra/package.sh"

# Cold start and peak memory per function vs Node.js 20, the local load run (200 virtual users,
# 60 s) on a fresh stack, then the per-route DynamoDB capacity walk and cost model
# (infra/bench-costs.sh) on another; figures in docs/benchmarks.md.
bench:
	@"$(ROOT)/infra/bench.sh"

# Only the front end's budgets of `make bench`: initial JavaScript gzipped, Lighthouse (mobile) on
# the seeker's home and booking pages; figures in .local/bench/web-budgets.json.
bench-web:
	@"$(ROOT)/infra/bench-web.sh"

# Only the reminders' peak of `make bench`: 20,000 reminders due at once, sent by one run; the
# times in .local/logs/bench-reminders.txt and docs/benchmarks.md.
bench-reminders:
	@"$(ROOT)/infra/bench-reminders.sh"

# Only the second part of `make bench`: DynamoDB calls and capacity per route, cost per 1,000 seekers.
bench-costs:
	@"$(ROOT)/infra/bench-costs.sh"

# The cargo-fuzz targets of fuzz/ for FUZZ_SECONDS each (default 60); never part of `make test`.
fuzz:
	@"$(ROOT)/infra/fuzz.sh"

fmt:
	cd "$(ROOT)" && cargo fmt --all

install:
	@"$(ROOT)/infra/local/install.sh"

# Everything installed under .local/ (venv, DynamoDB Local, logs).
clean-local:
	rm -rf "$(ROOT)/.local"
