# dcvmail watch --once against a real Dovecot with TLS on 127.0.0.1.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then skip "needs root and dovecot"; exit 0; fi
trap dv_stop EXIT
if ! dv_start; then not_ok "private Dovecot starts"; exit 1; fi
ok "private Dovecot starts (imaps $DV_IMAPS, imap+STARTTLS $DV_IMAP)"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
conf() { # extra mailbox settings for all mailboxes
	{
	echo "syslog no"
	for u in whois txt approver; do
		port=$DV_IMAPS; scheme=imaps
		[ "$u" = txt ] && { port=$DV_IMAP; scheme=imap; }
		printf 'mailbox %s {\n url %s://localhost:%s/INBOX\n user %s@example.test\n password-file %s\n role %s\n ca-file %s\n timeout 10\n%s}\n' \
			"$u" "$scheme" "$port" "$u" "$TEST_TMP/pw" "$u" "${CAFILE:-$DV_CA}" "${1:-}"
	done
	} >"$TEST_TMP/c.conf"
}
conf
w() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" watch --once "$@"; }

dv_append whois@example.test "$FIX/digicert-dcv-plain.eml"
dv_append txt@example.test "$FIX/digicert-dcv-copy-webmaster.eml"
dv_append approver@example.test "$FIX/globalsign-dcv.eml" '(\Seen)'
before=$(dv_state whois@example.test)
out=$(w --dry-run 2>&1); rc=$?
check_eq "watch --once --dry-run exits 0" "$rc" 0
check_contains "dry run reads the new mail" "$out" "whois: 1 new message (dry run"
check_eq "--dry-run leaves the mailbox exactly as it was" "$(dv_state whois@example.test)" "$before"
check "--dry-run records nothing" [ ! -e "$S/ledger.db" ]

out=$(w 2>&1); rc=$?
check_eq "watch --once records the new mail (imaps and STARTTLS)" "$rc" 0
check_eq "three messages with their mailbox roles" \
	"$(sqlite3 "$S/ledger.db" "select group_concat(role, ',') from (select role from messages order by role)")" "approver,txt,whois"
check_eq "DigiCert's two copies are one request" "$(sqlite3 "$S/ledger.db" "select copies from requests where ca = 'digicert'")" 2
after=$(dv_state whois@example.test)
check_not_contains "\\Seen is never set" "$after" '\Seen'
check_contains "the private keyword marks processed mail" "$after" '$Dcvmail'
check_contains "a message a person had read stays \\Seen" "$(dv_state approver@example.test)" '\Seen'
check_contains "the log line of an IMAP message starts with MAILBOX:UID, then request and domain" "$out" \
	"dcvmail watch: whois:1: request=1 domain=shop.example.com dcv digicert/digicert-dcv new-request role=whois"
check_contains "a second copy's line says copy" "$out" "dcvmail watch: txt:1: request=1 domain=shop.example.com dcv digicert/digicert-dcv copy role=txt"
check_not_contains "no log line holds a link" "$(printf '%s\n' "$out" | grep '^dcvmail: ')" "://"

out=$(w 2>&1)
check_eq "a second run records nothing new" "$(sqlite3 "$S/ledger.db" "select count(*) from messages")" 3
dv_append whois@example.test "$FIX/sectigo-dcv-plain.eml"
w >/dev/null 2>&1
check_eq "new mail after the mark is picked up, nothing twice" "$(sqlite3 "$S/ledger.db" "select count(*), count(distinct sha256) from messages")" "4|4"

# an unknown CA: refused before the password is sent
dv_cert "$TEST_TMP" other
CAFILE="$TEST_TMP/other-ca.pem" conf
logins=$(grep -c "imap-login: Login" "$DV/dovecot.log")
out=$(w 2>&1); rc=$?
check_eq "a server certificate from an unknown CA fails the run (75)" "$rc" 75
check_contains "with a clear error" "$out" "server certificate refused"
check_eq "and no login was attempted" "$(grep -c "imap-login: Login" "$DV/dovecot.log")" "$logins"
# the certificate names localhost, not the address 127.0.0.1
conf
sed -i "s|imaps://localhost|imaps://127.0.0.1|; s|imap://localhost|imap://127.0.0.1|" "$TEST_TMP/c.conf"
out=$(w 2>&1)
check_contains "a certificate for another host name is refused" "$out" "server certificate refused"
# a wrong password and a readable password file
conf
printf 'wrong\n' >"$TEST_TMP/pw"
out=$(w 2>&1); rc=$?
check_contains "a wrong password gives a clear error" "$out" "login as whois@example.test refused"
check_not_contains "and never shows the password" "$out" "wrong"
chmod 644 "$TEST_TMP/pw"
out=$(w 2>&1)
check_contains "a password file readable by others is refused" "$out" "chmod 600"
t_done
