#!/usr/bin/env bash
# `make fuzz`: the cargo-fuzz targets of fuzz/ (libFuzzer), each for FUZZ_SECONDS (default 60).
# cargo-fuzz 0.13.2 is installed from crates.io into .local/cargo the first time. It needs
# nightly-only compiler flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them (checked
# with Rust 1.95). No sanitizer (-s none): the code under test is safe Rust, so what is looked
# for is a panic, an abort or a hang; ASan would add build time and nothing else.
# Never part of `make test`. A crash leaves its input in fuzz/artifacts/<target>/.
set -euo pipefail
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
cd "$ROOT/fuzz"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
CARGO_FUZZ_ROOT="$LOCAL_DIR/cargo"
if [[ ! -x "$CARGO_FUZZ_ROOT/bin/cargo-fuzz" ]]; then
	log "installing cargo-fuzz 0.13.2 into ${CARGO_FUZZ_ROOT#"$ROOT"/} (a few minutes, once)"
	cargo install --locked --version 0.13.2 --root "$CARGO_FUZZ_ROOT" cargo-fuzz
fi
export PATH="$CARGO_FUZZ_ROOT/bin:$PATH" RUSTC_BOOTSTRAP=1

for target in $(cargo fuzz list); do
	log "fuzzing $target for ${SECONDS_PER_TARGET}s"
	cargo fuzz run -s none "$target" -- -max_total_time="$SECONDS_PER_TARGET"
done
