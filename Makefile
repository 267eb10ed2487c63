# Local development. The scripts in infra/local/ do the work; see infra/local/*.sh.
SHELL := /bin/bash
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

.PHONY: run test lint fmt install clean-local

# The whole local stack in the foreground, with demo data; Ctrl-C stops it.
run:
	@"$(ROOT)/infra/local/run.sh"

# Lint, build, then every test against a local stack on test ports.
test:
	@"$(ROOT)/infra/local/test.sh"

# cargo fmt --check, clippy -D warnings, cfn-lint and sam validate --lint.
lint:
	@"$(ROOT)/infra/local/test.sh" lint

fmt:
	cd "$(ROOT)" && cargo fmt --all

install:
	@"$(ROOT)/infra/local/install.sh"

# Everything installed under .local/ (venv, DynamoDB Local, logs).
clean-local:
	rm -rf "$(ROOT)/.local"
