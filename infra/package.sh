#!/usr/bin/env bash
# `make package`: every function binary of template.yaml built for Lambda arm64
# (provided.al2023) with cargo-lambda, zipped, and the size of each zip reported.
#   target/lambda-build/            cargo's target dir for these builds (kept apart from
#                                   the debug target/ the tests use, so neither invalidates the other)
#   target/lambda-build/lambda/<bin>/bootstrap.zip
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
