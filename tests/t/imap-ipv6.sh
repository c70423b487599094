# A mailbox url with an IPv6 literal works end to end: `dcvmail -n` passes
# it, and `dcvmail watch --once` connects to a private Dovecot on [::1]
# (imaps and STARTTLS), checks the certificate against the address, and
# records the mail. (The hand-written parser took "[" as the host.)
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then skip "needs root and dovecot"; exit 0; fi
if ! python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	skip "no IPv6 loopback here"; exit 0
fi
# the server certificate names the address ::1 too (an IP SAN)
dv_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2 test CA" \
		-keyout "$1/$2-ca.key" -out "$1/$2-ca.pem" >/dev/null 2>&1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$1/$2.key" -out "$1/$2.csr" >/dev/null 2>&1
	printf 'subjectAltName=DNS:localhost,IP:::1\n' >"$1/$2.ext"
	openssl x509 -req -in "$1/$2.csr" -CA "$1/$2-ca.pem" -CAkey "$1/$2-ca.key" -CAcreateserial -days 2 \
		-extfile "$1/$2.ext" -out "$1/$2.pem" >/dev/null 2>&1
}
trap dv_stop EXIT
if ! dv_start; then not_ok "private Dovecot starts"; exit 1; fi
dv_down
sed -i 's/^listen = .*/listen = 127.0.0.1, ::1/' "$DV/dovecot.conf"
if ! dv_up; then not_ok "Dovecot listens on ::1 too"; exit 1; fi
ok "private Dovecot on 127.0.0.1 and [::1] (imaps $DV_IMAPS, imap $DV_IMAP)"
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
C="$TEST_TMP/c.conf" S="$TEST_TMP/state"
{
	echo "syslog no"
	printf 'mailbox whois {\n url imaps://[::1]:%s/INBOX\n user whois@example.test\n password-file %s\n role whois\n ca-file %s\n timeout 10\n}\n' \
		"$DV_IMAPS" "$TEST_TMP/pw" "$DV_CA"
	printf 'mailbox txt {\n url imap://[::1]:%s/\n user txt@example.test\n password-file %s\n role txt\n ca-file %s\n timeout 10\n}\n' \
		"$DV_IMAP" "$TEST_TMP/pw" "$DV_CA"
} >"$C"
out=$("$DCVMAIL" -c "$C" -d "$S" -n 2>&1); rc=$?
check_eq "dcvmail -n passes the IPv6 urls" "$rc" 0
dv_append whois@example.test "$TOP/tests/corpus/ca/digicert-dcv-plain.eml"
dv_append txt@example.test "$TOP/tests/corpus/ca/sectigo-dcv-plain.eml"
out=$("$DCVMAIL" -c "$C" -d "$S" watch --once 2>&1); rc=$?
check_eq "watch --once over [::1] exits 0" "$rc" 0
check_eq "both messages recorded, one per mailbox" \
	"$(sqlite3 "$S/ledger.db" "select group_concat(mailbox) from (select mailbox from messages order by mailbox)")" "txt,whois"
check "Dovecot saw the logins from ::1" grep -q "rip=::1" "$DV/dovecot.log"
# the certificate is checked against the address: one without it is refused
dv_down # same CA, a certificate for DNS:localhost only
printf 'subjectAltName=DNS:localhost\n' >"$DV/server.ext"
openssl x509 -req -in "$DV/server.csr" -CA "$DV/server-ca.pem" -CAkey "$DV/server-ca.key" -CAcreateserial -days 2 \
	-extfile "$DV/server.ext" -out "$DV/server.pem" >/dev/null 2>&1
dv_up
dv_append whois@example.test "$TOP/tests/corpus/ca/globalsign-dcv.eml"
out=$("$DCVMAIL" -c "$C" -d "$S" watch --once 2>&1); rc=$?
check_eq "a certificate without the address ::1 fails the run (75)" "$rc" 75
check_contains "the address does not match" "$out" "server certificate refused: IP address mismatch"
t_done
