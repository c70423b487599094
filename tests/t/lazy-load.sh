# Libraries loaded on first need (issue 19, src/base/dl.c): what each command
# maps, as a packager checks it (readelf, nm, LD_DEBUG=files), and what a
# library that cannot be loaded does (pipe defers with exit 75, check fails
# with the library's name) — never a crash, never a lost message.
. "$TOP/tests/lib.sh"
FIX="$TOP/tests/corpus/ca"
S="$TEST_TMP/state"
printf 'syslog no\n' >"$TEST_TMP/c.conf"
# verify-dkim with a DNS server that does not answer: the library is loaded
# before any lookup, and the lookup fails at once (port 9, discard, is closed)
printf 'syslog no\nverify-dkim yes\ndns-server 127.0.0.1:9\n' >"$TEST_TMP/dkim.conf"
cat >"$TEST_TMP/plain.eml" <<'EOF'
From: Ann <ann@example.org>
To: bob@example.net
Subject: lunch
Date: Mon, 7 Dec 2026 10:00:00 +0000
Message-ID: <lunch-1@example.org>

See you at noon, at the usual place.
EOF
SIGNED="$FIX/digicert-fallback-dkim-named.eml"
grep -q '^DKIM-Signature:' "$SIGNED" || not_ok "fixture $SIGNED carries a DKIM-Signature"
grep -q 'https://' "$FIX/sectigo-dcv-plain.eml" || not_ok "fixture sectigo-dcv-plain.eml has links"

# the lazy libraries' files, as the build names them (its SONAMEs)
soname() { strings -a "$DCVMAIL" | grep -m1 -x "$1"; }
ETPAN=$(soname 'libetpan\.so\.[0-9]*')
CURL=$(soname 'libcurl[a-z-]*\.so\.[0-9]*')
DKIM=$(soname 'libopendkim\.so\.[0-9]*')
CRYPTO=$(soname 'libcrypto\.so\.[0-9]*')
check "the program names the four libraries it loads ($ETPAN $CURL $DKIM $CRYPTO)" \
	test -n "$ETPAN" -a -n "$CURL" -a -n "$DKIM" -a -n "$CRYPTO"

needed=$(readelf -d "$DCVMAIL" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
check_contains "readelf: the program links libc" "$needed" "libc.so"
for l in libetpan libcurl libopendkim libcrypto; do
	check_not_contains "readelf: the program does not link $l" "$needed" "$l"
done
# none of their functions is bound at start-up
undef=$(nm -D --undefined-only "$DCVMAIL" | awk '{print $2}' |
	grep -E '^(mail(imap|smtp|esmtp|imf|mime|stream)_|mmap_string_|curl_|dkim_|(EVP|X509|BIO|PEM|RAND|OPENSSL|CRYPTO)_|[di]2[id]_X509)' |
	tr '\n' ' ')
check_eq "nm: no libetpan, libcurl, libopendkim or libcrypto symbol is bound at start-up" "$undef" ""

# the package must depend on what provides each file: dpkg-shlibdeps does not see them
deps=$(sed -n '/^Depends:/,/^[A-Z]/p' "$TOP/debian/control")
for f in "$ETPAN" "$CURL" "$DKIM" "$CRYPTO"; do
	pkg=$(dpkg -S "/usr/lib/$(gcc -print-multiarch)/$f" 2>/dev/null | sed -n '1s/:.*//p')
	check "debian/control Depends names ${pkg:-the package of $f}" test -n "$pkg" -a -n "$(printf '%s' "$deps" | grep -w -- "$pkg")"
done

# loads CMD...: the libraries among the four that CMD opened with dlopen
loads() {
	rm -f "$TEST_TMP"/ld.*
	LD_DEBUG=files LD_DEBUG_OUTPUT="$TEST_TMP/ld" "$@" >"$TEST_TMP/out" 2>&1
	rc=$?
	cat "$TEST_TMP"/ld.* | sed -n 's/.*file=\([^ ]*\) *\[0\]; *\(needed\|dynamically\).*/\1/p' |
		grep -E "^($ETPAN|$CURL|$DKIM|$CRYPTO)\$" | sort -u | tr '\n' ' ' | sed 's/ $//'
}
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }

check_eq "--version loads none of the four" "$(loads "$DCVMAIL" --version)" ""
check_eq "and says its version" "$(head -c 8 "$TEST_TMP/out")" "dcvmail "
dcv pipe -r admin@example.net <"$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
check_eq "orders loads none of the four" "$(loads dcv orders)" ""
check_eq "list loads none of the four" "$(loads dcv list)" ""
check_contains "and list shows the request" "$(cat "$TEST_TMP/out")" "www.example.net"
check_eq "check --dry-run of a mail without links: libetpan only" \
	"$(loads dcv check --dry-run "$TEST_TMP/plain.eml")" "$ETPAN"
check_contains "and it is judged" "$(cat "$TEST_TMP/out")" "1 message"
got=$(loads dcv check --dry-run "$FIX/sectigo-dcv-plain.eml")
check_contains "check --dry-run of a CA mail with links: libetpan" "$got" "$ETPAN"
check_contains "and libcurl (with what it needs)" "$got" "$CURL"
check_not_contains "but no libopendkim" "$got" "$DKIM"
check_contains "and the link is read" "$(cat "$TEST_TMP/out")" "approve=https://secure.trust-provider.com/"
check_not_contains "a DKIM-signed mail without verify-dkim: no libopendkim" \
	"$(loads dcv check --dry-run "$SIGNED")" "$DKIM"
check_not_contains "verify-dkim yes, a mail without DKIM-Signature: no libopendkim" \
	"$(loads "$DCVMAIL" -c "$TEST_TMP/dkim.conf" check --dry-run "$FIX/sectigo-dcv-plain.eml")" "$DKIM"
check_contains "verify-dkim yes, a DKIM-signed mail: libopendkim" \
	"$(loads "$DCVMAIL" -c "$TEST_TMP/dkim.conf" check --json --dry-run "$SIGNED")" "$DKIM"
check_contains "and the signature was looked at (DNS down: temperror)" "$(cat "$TEST_TMP/out")" "dkim=temperror"
check_eq "a lone pipe of a mail without links: libetpan only" \
	"$(loads dcv pipe -r admin@example.net <"$TEST_TMP/plain.eml")" "$ETPAN"
check_eq "and it is recorded" "$(sqlite3 "$S/ledger.db" "select count(*) from messages where subject = 'lunch'")" 1

# A site with an smtp block and a mailbox: their URLs are parsed by libcurl's
# URL API, so the commands that only read the ledger leave them to those that
# connect (and to dcvmail -n), which still refuse a bad one
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
site() { # SMTP-URL
	printf 'syslog no\nsmtp {\n url %s\n from dcvmail@example.net\n}\n' "$1"
	printf 'mailbox whois {\n url imaps://imap.example.net/INBOX\n user u\n password-file %s\n role whois\n}\n' "$TEST_TMP/pw"
}
site smtp://127.0.0.1:25 >"$TEST_TMP/site.conf"
site 'smtp://[bad' >"$TEST_TMP/bad-url.conf"
sdcv() { "$DCVMAIL" -c "$TEST_TMP/$1" -d "$S" "$2"; }
check_eq "with smtp and mailbox blocks, list loads none of the four" "$(loads sdcv site.conf list)" ""
check_eq "nor does orders" "$(loads sdcv site.conf orders)" ""
check_contains "pipe checks the server URLs: libcurl" \
	"$(loads "$DCVMAIL" -c "$TEST_TMP/site.conf" -d "$S" pipe -r admin@example.net <"$TEST_TMP/plain.eml")" "$CURL"
out=$(sdcv bad-url.conf list 2>&1)
check_eq "a bad smtp url does not stop list" "$?" 0
out=$("$DCVMAIL" -c "$TEST_TMP/bad-url.conf" -n 2>&1)
check_eq "dcvmail -n still refuses it (exit 78)" "$?" 78
check_contains "naming the url" "$out" "smtp url 'smtp://[bad'"
out=$("$DCVMAIL" -c "$TEST_TMP/bad-url.conf" -d "$S" pipe -r admin@example.net <"$TEST_TMP/plain.eml" 2>&1)
check_eq "and pipe defers with it (exit 75)" "$?" 75
check_contains "naming the url" "$out" "smtp url 'smtp://[bad'"

# A library that cannot be loaded: a broken file of that name first in the
# loader's path (LD_LIBRARY_PATH), as a damaged installation would have.
broken() { mkdir -p "$TEST_TMP/bad-$1" && : >"$TEST_TMP/bad-$1/$1" && echo "$TEST_TMP/bad-$1"; }
count() { sqlite3 "$S/ledger.db" "select count(*) from messages"; }
n0=$(count)
out=$(LD_LIBRARY_PATH=$(broken "$ETPAN") "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe -q 4LzY7 \
	-r admin@example.net <"$FIX/digicert-dcv-plain.eml" 2>"$TEST_TMP/err")
rc=$?
check_eq "pipe without a loadable $ETPAN: exit 75 (Postfix defers)" "$rc" 75
check_contains "with a 4.3.0 line naming the library" "$(printf '%s' "$out" | head -1)" "4.3.0 cannot load $ETPAN"
check_contains "and why (the loader's error)" "$out" "file too short"
check_contains "the log line names the queue id and the library" "$(cat "$TEST_TMP/err")" "4LzY7: deferred: cannot load $ETPAN"
check_eq "nothing is recorded" "$(count)" "$n0"
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe -r admin@example.net <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
check_eq "the same mail delivered again once the library is back: recorded" "$?:$(count)" "0:$((n0 + 1))"

out=$(LD_LIBRARY_PATH=$(broken "$CURL") "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe \
	-r admin@example.net <"$FIX/sectigo-dcv-comodo-plain.eml" 2>&1)
rc=$?
check_eq "pipe of a mail with links without a loadable $CURL: exit 75" "$rc" 75
check_contains "naming the library" "$out" "cannot load $CURL"
check_eq "nothing is recorded" "$(count)" "$((n0 + 1))"
LD_LIBRARY_PATH=$(broken "$CURL") "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe \
	-r admin@example.net <"$TEST_TMP/plain.eml" >/dev/null 2>&1
check_eq "a mail without links needs no libcurl: delivered (exit 0)" "$?" 0

XML2=$(soname 'libxml2\.so\.[0-9]*')
out=$(LD_LIBRARY_PATH=$(broken "$XML2") "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe \
	-r admin@example.net <"$FIX/sectigo-dcv-html-comodo.eml")
check_eq "pipe of an HTML mail without a loadable ${XML2:-libxml2}: exit 75" "$?" 75
check_contains "with a 4.3.0 line naming it" "$(printf '%s' "$out" | head -1)" "4.3.0 cannot load $XML2"

out=$(LD_LIBRARY_PATH=$(broken "$ETPAN") "$DCVMAIL" -c "$TEST_TMP/c.conf" check --dry-run "$TEST_TMP/plain.eml" 2>&1)
rc=$?
check "check without a loadable $ETPAN fails (exit $rc)" test "$rc" -ne 0
check_contains "with an error naming the library and the loader's reason" "$out" \
	"dcvmail check: cannot load $ETPAN (needed to parse mail"
out=$(LD_LIBRARY_PATH=$(broken "$DKIM") "$DCVMAIL" -c "$TEST_TMP/dkim.conf" -d "$S" pipe \
	-r admin@example.net <"$SIGNED" 2>&1)
check_eq "pipe of a signed mail (verify-dkim yes) without a loadable $DKIM: exit 75" "$?" 75
check_contains "naming the library" "$out" "cannot load $DKIM"
t_done
