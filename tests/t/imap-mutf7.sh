# IMAP folder names in modified UTF-7 (RFC 3501 5.1.3), against a real
# Dovecot: `move-to 処理済み` moves processed mail into the folder Dovecot
# lists as &UeZ0Bm4IMH8-, and a folder that is missing is named in both forms.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-dovecot.sh"
if [ "$(id -u)" != 0 ] || ! command -v dovecot >/dev/null; then skip "needs root and dovecot"; exit 0; fi
trap dv_stop EXIT
if ! dv_start; then not_ok "private Dovecot starts"; exit 1; fi
ok "private Dovecot starts (imaps $DV_IMAPS)"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
conf() { # MOVE-TO [FOLDER]
	printf 'syslog no\nmailbox approver {\n url imaps://localhost:%s/%s\n user approver@example.test\n password-file %s\n role approver\n ca-file %s\n timeout 10\n move-to %s\n}\n' \
		"$DV_IMAPS" "${2:-INBOX}" "$TEST_TMP/pw" "$DV_CA" "$1" >"$TEST_TMP/c.conf"
}
# imap_count FOLDER-ON-THE-WIRE: messages in it, over IMAP; and LIST of everything
imap() {
	python3 - "$DV_IMAPS" "$DV_CA" "$@" <<'PY'
import imaplib, ssl, sys
c = imaplib.IMAP4_SSL("localhost", int(sys.argv[1]), ssl_context=ssl.create_default_context(cafile=sys.argv[2]))
c.login("approver@example.test", "secret")
if sys.argv[3] == "list":
    for d in c.list()[1]:
        print(d.decode())
else:
    typ, data = c.select('"%s"' % sys.argv[3], readonly=True)
    print(data[0].decode() if typ == "OK" else "NO")
c.logout()
PY
}
doveadm -c "$DV/dovecot.conf" mailbox create -u approver@example.test "処理済み" 2>"$TEST_TMP/doveadm.err"
check_contains "Dovecot has the folder 処理済み as &UeZ0Bm4IMH8-" "$(imap list)" ' &UeZ0Bm4IMH8-'
dv_append approver@example.test "$FIX/globalsign-dcv.eml"
conf "処理済み"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" -v watch --once 2>&1); rc=$?
check_eq "watch --once with move-to 処理済み exits 0" "$rc" 0
check_eq "the message was recorded" "$(sqlite3 "$S/ledger.db" "select count(*) from messages")" 1
check_eq "it is in 処理済み, as Dovecot sees it over IMAP" "$(imap '&UeZ0Bm4IMH8-')" 1
check_eq "and no longer in INBOX" "$(imap INBOX)" 0
n=$(doveadm -c "$DV/dovecot.conf" -f flow mailbox status -u approver@example.test messages "処理済み" 2>/dev/null)
check_eq "doveadm counts it in 処理済み" "$n" "処理済み messages=1"
check_contains "the debug log names the folder in both forms" "$out" "move-to 処理済み &UeZ0Bm4IMH8-"

# the folder to read from may be non-ASCII too, and move-to may be written in its wire form
doveadm -c "$DV/dovecot.conf" mailbox create -u approver@example.test "受信.認証局" 2>>"$TEST_TMP/doveadm.err"
doveadm -c "$DV/dovecot.conf" save -u approver@example.test -m "受信.認証局" <"$FIX/digicert-dcv-plain.eml" 2>>"$TEST_TMP/doveadm.err"
conf "&UeZ0Bm4IMH8-" "受信.認証局"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" watch --once 2>&1); rc=$?
check_eq "watch reads the folder 受信.認証局 (exit 0)" "$rc" 0
check_eq "its message is recorded" "$(sqlite3 "$S/ledger.db" "select count(*) from messages")" 2
check_eq "and moved to move-to given as &UeZ0Bm4IMH8-" "$(imap '&UeZ0Bm4IMH8-')" 2

# a folder that does not exist is named as configured and as sent
dv_append approver@example.test "$FIX/sectigo-dcv-plain.eml"
conf "存在しない"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" watch --once 2>&1)
check_contains "a missing move-to folder is named in UTF-8 and modified UTF-7" "$out" "folder 存在しない (&W1hXKDBXMGowRA- on the server"
check_eq "the message stays in INBOX" "$(imap INBOX)" 1
t_done
