#!/usr/bin/env bash
# `make package`: every function binary of template.yaml built for Lambda arm64
# (provided.al2023) with cargo-lambda, zipped, and the size of each zip reported.
#   target/lambda-build/            cargo's target dir for these builds (kept apart from
#                                   the debug target/ the tests use, so neither invalidates the other)
#   target/lambda-build/lambda/<bin>/bootstrap.zip
#   target/sam-build/                `sam build` of template.yaml (every AWS::Serverless::Function,
#                                   BuildMethod rust-cargolambda), ready for `sam deploy`
# The release profile (root Cargo.toml) sets panic = "unwind", lto and codegen-units, so
# cargo-lambda's defaults (panic = "abort", thin LTO) do not apply; the build log is checked
# for "-C panic=abort" below to prove it.
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
cd "$ROOT"

"$ROOT/infra/local/install.sh"
CARGO_LAMBDA="$VENV_DIR/bin/cargo-lambda"
[[ -x "$CARGO_LAMBDA" ]] || die "cargo-lambda missing from the venv (infra/local/requirements.txt)"
export PATH="$VENV_DIR/bin:$PATH"
export CARGO_TARGET_DIR="$ROOT/target/lambda-build"
LAMBDA_DIR="$CARGO_TARGET_DIR/lambda"
BUILD_LOG="$LOG_DIR/package-build.log"
mkdir -p "$LOG_DIR"

# The function binaries are the template's `Metadata: BuildProperties: Binary:` values.
mapfile -t BINS < <(sed -n 's/^ *Binary: *\([A-Za-z0-9_-]*\).*/\1/p' template.yaml | sort -u)
((${#BINS[@]})) || die "no Binary: entries in template.yaml"
bin_args=()
for bin in "${BINS[@]}"; do bin_args+=(--bin "$bin"); done

t=$(now_s)
log "cargo lambda build --release --arm64 --output-format zip (${#BINS[@]} binaries; log ${BUILD_LOG#"$ROOT"/})"
# -v: cargo prints each rustc command line, so the panic strategy can be checked.
if ! cargo lambda build --release --arm64 --output-format zip --lambda-dir "$LAMBDA_DIR" -v "${bin_args[@]}" \
	>"$BUILD_LOG" 2>&1; then
	tail -n 40 "$BUILD_LOG" >&2
	die "cargo lambda build failed"
fi
log "built in $(elapsed "$t")s"

# rustc names a binary crate with underscores.
crate_names=$(printf '%s\n' "${BINS[@]//-/_}" | paste -sd '|')
bin_lines=$(grep -E -- "--crate-name ($crate_names) " "$BUILD_LOG" || true)
[[ -n "$bin_lines" ]] || die "the build log shows no rustc command for the function binaries (was -v honoured?)"
if grep -q -- "panic=abort" <<<"$bin_lines"; then
	die "a function binary was built with panic=abort: the release profile must keep unwinding"
fi
log "no function binary built with panic=abort (the release profile's panic = \"unwind\" holds)"

printf '\n%-18s %12s %12s\n' function "zip (bytes)" "bootstrap"
total=0
for bin in "${BINS[@]}"; do
	zip="$LAMBDA_DIR/$bin/bootstrap.zip"
	[[ -f "$zip" ]] || die "$zip was not produced"
	size=$(stat -c %s "$zip")
	raw=$(unzip -l "$zip" | awk '$4 == "bootstrap" { print $1 }')
	total=$((total + size))
	printf '%-18s %12s %12s\n' "$bin" "$size" "${raw:-?}"
done
printf '%-18s %12s\n' total "$total"

# `sam build`: what a deployment runs. Its cargo-lambda builder builds in source, one
# `cargo lambda build --release --arm64 --bin <Binary>` per function, into the same
# CARGO_TARGET_DIR, so after the build above every function is a cache hit; the check is that
# the template's build metadata is right (binary names, architecture, runtime) and that SAM
# lays out one bootstrap per function.
SAM="$VENV_DIR/bin/sam"
[[ -x "$SAM" ]] || die "the SAM CLI is missing from the venv (infra/local/requirements.txt)"
SAM_BUILD_DIR="$ROOT/target/sam-build"
SAM_LOG="$LOG_DIR/package-sam-build.log"
export SAM_CLI_TELEMETRY=0 SAM_CLI_DISABLE_UPDATE_CHECK=1
t=$(now_s)
log "sam build (rust-cargolambda, beta feature of the SAM CLI; log ${SAM_LOG#"$ROOT"/})"
if ! "$SAM" build --template-file template.yaml --build-dir "$SAM_BUILD_DIR" --beta-features >"$SAM_LOG" 2>&1; then
	tail -n 40 "$SAM_LOG" >&2
	die "sam build failed"
fi
log "sam build done in $(elapsed "$t")s"

# One bootstrap per function of the template, each an aarch64 executable.
mapfile -t FUNCTIONS < <("$VENV_DIR/bin/python" - <<'PY'
import yaml, sys

class Loader(yaml.SafeLoader):
    pass

# CloudFormation short tags (!Ref, !Sub, ...) are irrelevant here: read them as plain values.
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
template = yaml.load(open("template.yaml"), Loader=Loader)
for name, resource in template["Resources"].items():
    if resource.get("Type") == "AWS::Serverless::Function":
        print(name)
PY
)
((${#FUNCTIONS[@]})) || die "no AWS::Serverless::Function in template.yaml"
printf '\n%-28s %12s  %s\n' "sam build: function" "bootstrap" "ELF machine"
for function in "${FUNCTIONS[@]}"; do
	bootstrap="$SAM_BUILD_DIR/$function/bootstrap"
	[[ -x "$bootstrap" ]] || die "sam build produced no executable $bootstrap"
	# e_machine, the 2 bytes at offset 18 of an ELF header: 183 is EM_AARCH64.
	machine=$(od -An -tu2 -j18 -N2 "$bootstrap" | tr -d ' ')
	[[ "$machine" == 183 ]] || die "$bootstrap is not an arm64 executable (ELF machine $machine)"
	printf '%-28s %12s  %s\n' "$function" "$(stat -c %s "$bootstrap")" "aarch64"
done
[[ -f "$SAM_BUILD_DIR/template.yaml" ]] || die "sam build wrote no template.yaml"
log "sam build: ${#FUNCTIONS[@]} functions in ${SAM_BUILD_DIR#"$ROOT"/} (deploy with: sam deploy --template-file ${SAM_BUILD_DIR#"$ROOT"/}/template.yaml --guided)"
