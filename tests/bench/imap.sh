# IMAP catch-up: `watch --once` over a mailbox of 1,000 and of 5,000 messages
# in a private Dovecot (TLS, one UID FETCH BODY.PEEK[] per message, a ledger
# commit per message): messages/s and max RSS, which must not grow with the
# mailbox (messages are fetched and recorded one at a time).
cd "$TOP" || exit 1
TEST_TMP=$BENCH_TMP
. tests/lib.sh >/dev/null 2>&1
. tests/lib-dovecot.sh
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then echo "   skipped: needs root and dovecot"; exit 0; fi
trap dv_stop EXIT
dv_start >/dev/null 2>&1 || { echo "   Dovecot did not start"; exit 1; }
printf 'secret\n' >"$BENCH_TMP/pw"; chmod 600 "$BENCH_TMP/pw"
for n in 1000 5000; do
	u=whois; [ "$n" = 5000 ] && u=txt
	printf 'syslog no\nmailbox %s {\n url imaps://localhost:%s/INBOX\n user %s@example.test\n password-file %s\n role %s\n ca-file %s\n}\n' \
		"$u" "$DV_IMAPS" "$u" "$BENCH_TMP/pw" "$u" "$DV_CA" >"$BENCH_TMP/c.conf"
	i=0
	for f in tests/corpus/ca/digicert-dcv-plain.eml tests/corpus/ca/globalsign-dcv-ja.eml \
		 tests/corpus/ca/sectigo-dcv-plain-htmlb64.eml tests/corpus/ca/digicert-dcv-ja-iso2022jp-htmlb64.eml \
		 tests/corpus/ca/cybertrust-dcv.eml; do
		dv_drop "$u@example.test" "$f" $((n / 5))
	done
	rm -rf "$BENCH_TMP/s$n"
	t0=$(date +%s.%N)
	/usr/bin/env time -f '%M' -o "$BENCH_TMP/rss" "$DCVMAIL" -c "$BENCH_TMP/c.conf" -d "$BENCH_TMP/s$n" watch --once \
		>/dev/null 2>"$BENCH_TMP/err"
	t1=$(date +%s.%N)
	got=$(sqlite3 "$BENCH_TMP/s$n/ledger.db" "select count(*) from messages")
	python3 -c "import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print('   watch --once, %5d messages: %.1f s = %.0f messages/s, max RSS %s kB' % (n, t, n/t, sys.argv[4]))" \
		"$got" "$t0" "$t1" "$(cat "$BENCH_TMP/rss")"
done
