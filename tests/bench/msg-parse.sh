# Parser and batch speed: message_parse() per fixture, `check --dry-run` over
# a 10,000-message mbox (target >= 10,000 messages/s per core), and one
# process per message as pipe(8) runs it (target ~5 ms).
cd "$TOP" || exit 1
make -s build/tests/msgbench >/dev/null || exit 1
for f in plain alternative html-only-href iso2022jp shiftjis forward-rfc822 links attachment; do
	printf '   parse %-16s ' "$f"
	build/tests/msgbench -n 5000 "tests/corpus/mime/$f.eml"
done
python3 - "$BENCH_TMP/bench.mbox" <<'PY'
import glob, sys
out = open(sys.argv[1], 'w')
data = [open(f, 'rb').read().decode('utf-8', 'replace').replace('\nFrom ', '\n>From ')
        for f in sorted(glob.glob('tests/corpus/mime/*.eml'))]
n = 0
while n < 10000:
    for d in data:
        out.write('From x@y Tue Nov 24 10:00:00 2026\n' + d.rstrip('\n') + '\n\n'); n += 1
PY
t0=$(date +%s.%N)
/usr/bin/env time -f '%M' -o "$BENCH_TMP/rss" "$DCVMAIL" check --dry-run -q "$BENCH_TMP/bench.mbox" >"$BENCH_TMP/sum" 2>&1
t1=$(date +%s.%N)
n=$(sed -n 's/^\([0-9]*\) messages.*/\1/p' "$BENCH_TMP/sum")
python3 -c "import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print('   check --dry-run: %d messages in %.2f s = %.0f messages/s, max RSS %s kB' % (n, t, n/t, sys.argv[4]))" "$n" "$t0" "$t1" "$(cat "$BENCH_TMP/rss" 2>/dev/null || echo ?)"
t0=$(date +%s.%N)
for i in $(seq 20); do "$DCVMAIL" check --dry-run -q tests/corpus/mime/forward-rfc822.eml >/dev/null 2>&1; done
t1=$(date +%s.%N)
python3 -c "import sys; print('   one message per process (startup + config + rules + parse): %.1f ms' % ((float(sys.argv[2])-float(sys.argv[1]))*1000/20))" "$t0" "$t1"
