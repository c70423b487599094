# Build every libFuzzer harness (tests/fuzz/fuzz-*.c, `make fuzz`) and run
# each for a few seconds on its seed corpus: tests/fuzz/corpus-NAME/ when it
# exists (tests/corpus/mime/ for the message parser). Skipped without clang.
# FUZZ_SECONDS overrides the run time.
. "$TOP/tests/lib.sh"
if ! command -v clang >/dev/null 2>&1; then
	skip "clang not installed: fuzz harnesses not built"; exit 0
fi
secs=${FUZZ_SECONDS:-3}
if ! (cd "$TOP" && make -s -j"$(nproc 2>/dev/null || echo 2)" fuzz >"$TEST_TMP/build.log" 2>&1); then
	not_ok "make fuzz builds the harnesses"; tail -n 30 "$TEST_TMP/build.log" | sed 's/^/#   /'; t_done
fi
ok "make fuzz builds the harnesses"
# the harnesses run side by side, as many at once as there are cores (each is
# one process on one core, for its full time); results are read in order
jobs=$(nproc 2>/dev/null || echo 2)
running=0
for src in "$TOP"/tests/fuzz/fuzz-*.c; do
	name=$(basename "$src" .c)
	bin="$TOP/build-fuzz/$name"
	short=${name#fuzz-}
	seeds="$TOP/tests/fuzz/corpus-$short"
	[ -d "$seeds" ] || seeds=""
	[ -z "$seeds" ] && [ "$short" = message ] && seeds="$TOP/tests/corpus/mime"
	work="$TEST_TMP/corpus-$short"; mkdir -p "$work" "$TEST_TMP/art-$short"
	[ -x "$bin" ] || continue
	if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
	# new inputs go to $work (the first directory), never into the tree
	(ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$secs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$TEST_TMP/art-$short/" \
		"$work" $seeds >"$TEST_TMP/$name.log" 2>&1
	echo $? >"$TEST_TMP/$name.rc") &
	running=$((running + 1))
done
wait
for src in "$TOP"/tests/fuzz/fuzz-*.c; do
	name=$(basename "$src" .c)
	if [ ! -x "$TOP/build-fuzz/$name" ]; then not_ok "$name was not built"; continue; fi
	if [ "$(cat "$TEST_TMP/$name.rc" 2>/dev/null)" = 0 ]; then
		ok "$name ran ${secs}s without a crash, leak or timeout"
	else
		not_ok "$name found a problem"
		grep -E 'ERROR|SUMMARY|Test unit written|#[0-9]' "$TEST_TMP/$name.log" | tail -n 15 | sed 's/^/#   /'
	fi
done
t_done
