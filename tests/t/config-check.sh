# dcvmail -n finds what start-up (or the first delivery) would refuse, each
# case as the admin sees it: the exit code and a message naming file:line.
# And dcvmail pipe answers Postfix one 4.3.0 line with the cause.
. "$TOP/tests/lib.sh"
C="$TEST_TMP/c.conf" S="$TEST_TMP/state"
printf 'secret\n' >"$TEST_TMP/pw"; chmod 600 "$TEST_TMP/pw"
mkdir -m 700 "$S"
conf() { # URL [PASSWORD_FILE]: one mailbox
	cat >"$C" <<CONF
syslog no
state-dir $S
mailbox whois {
  url $1
  user whois@example.test
  password-file ${2:-$TEST_TMP/pw}
  role whois
}
CONF
}
n() { "$DCVMAIL" -c "$C" -n 2>&1; }

conf "imaps://imap.example.test/INBOX"
out=$(n); rc=$?
check_eq "a good configuration passes (0)" "$rc" 0
check_contains "saying so" "$out" "$C: syntax ok"
check_not_contains "and no problem" "$out" "problem"

# URLs as libcurl parses them, which is how they are connected to
conf "imaps://[::1]:993/"
out=$(n); rc=$?
check_eq "an IPv6 literal mailbox url passes (0)" "$rc" 0
conf "imaps://[::1]:993/" && printf 'smtp {\n  url smtp://[::1]:2525\n  from d@example.test\n}\n' >>"$C"
out=$(n); rc=$?
check_eq "an IPv6 literal smtp url passes (0)" "$rc" 0
conf "imaps://imap.example.test:99999/INBOX"
out=$(n); rc=$?
check_eq "port 99999 fails (78)" "$rc" 78
check_contains "naming the mailbox's line and the range" "$out" \
	"$C:3: mailbox 'whois': url 'imaps://imap.example.test:99999/INBOX': the port must be a number from 1 to 65535"
conf "imaps://[::1/"
out=$(n); rc=$?
check_eq "a broken IPv6 literal fails (78)" "$rc" 78
check_contains "saying why" "$out" "$C:3: mailbox 'whois': url 'imaps://[::1/': not a valid IPv6 address in brackets"
conf "imaps://imap.example.test/INBOX"
printf 'smtp {\n  url smtps://mx.example.test:0\n  from d@example.test\n}\n' >>"$C"
out=$(n); rc=$?
check_eq "smtp port 0 fails (78)" "$rc" 78
check_contains "with the smtp block's line" "$out" "$C:9: smtp url 'smtps://mx.example.test:0': the port must be a number from 1 to 65535"
conf "pop3://imap.example.test/"
out=$(n); rc=$?
check_eq "another scheme fails (78)" "$rc" 78
check_contains "naming the ones that work" "$out" "must start with imaps://, imap://"

# secret files: there, 0600, the run user's
conf "imaps://imap.example.test/INBOX" "$TEST_TMP/missing.pw"
out=$(n); rc=$?
check_eq "a missing password file fails (78)" "$rc" 78
check_contains "naming it with the mailbox's line" "$out" \
	"$C:3: password-file of mailbox 'whois' $TEST_TMP/missing.pw: No such file or directory"
conf "imaps://imap.example.test/INBOX"
chmod 644 "$TEST_TMP/pw"
out=$(n); rc=$?
check_eq "a world-readable password file fails (78)" "$rc" 78
check_contains "with its mode and the fix" "$out" "$C:3: password-file of mailbox 'whois' $TEST_TMP/pw has mode 0644"
check_contains "the fix" "$out" "fix with: chmod 600 $TEST_TMP/pw"
chmod 600 "$TEST_TMP/pw"

# the state directory
chmod 755 "$S"
out=$(n); rc=$?
check_eq "a state directory others can enter fails (78)" "$rc" 78
check_contains "naming the state-dir line, mode and fix" "$out" "$C:2: state-dir $S has mode 0755"
check_contains "the fix" "$out" "fix with: chmod 700 $S"
chmod 700 "$S"
sed -i "s|^state-dir .*|state-dir $TEST_TMP/new|" "$C"
out=$(n); rc=$?
check_eq "a state directory not made yet is a warning (0)" "$rc" 0
check_contains "that says who makes it" "$out" "$C:2: warning: state-dir $TEST_TMP/new does not exist yet"
sed -i "s|^state-dir .*|state-dir $S|" "$C"

# blocks and rules-dir errors point at the lines to fix
printf 'syslog no\nmailbox whois {\n  url imaps://h/\n  user u\n  password-file %s\n  role whois\n\nrole txt a@example.test\n' \
	"$TEST_TMP/pw" >"$TEST_TMP/open.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/open.conf" -n 2>&1); rc=$?
check_eq "an unclosed block fails (78)" "$rc" 78
check_contains "at the line where the block opened" "$out" "$TEST_TMP/open.conf:2: unterminated mailbox block"
printf 'syslog no\nsmtp {\n  url smtp://127.0.0.1\n  from d@example.test\nroute {\n  forward a@example.test\n}\n' \
	>"$TEST_TMP/nested.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/nested.conf" -n 2>&1); rc=$?
check_eq "a block opened inside another fails (78)" "$rc" 78
check_contains "naming both lines" "$out" "$TEST_TMP/nested.conf:5: 'route' block inside the smtp block opened at line 2"
printf 'syslog no\nrules-dir %s/norules\n' "$TEST_TMP" >"$TEST_TMP/rd.conf"
out=$(DCVMAIL_RULES_DIR= "$DCVMAIL" -c "$TEST_TMP/rd.conf" -d "$S" -n 2>&1); rc=$?
check_eq "a missing rules-dir fails (78)" "$rc" 78
check_contains "naming the config line that set it" "$out" \
	"$TEST_TMP/rd.conf:2: rules-dir $TEST_TMP/norules: No such file or directory"
mkdir "$TEST_TMP/empty"
sed -i "s|norules|empty|" "$TEST_TMP/rd.conf"
out=$(DCVMAIL_RULES_DIR= "$DCVMAIL" -c "$TEST_TMP/rd.conf" -d "$S" -n 2>&1); rc=$?
check_eq "a rules-dir without rules fails (78)" "$rc" 78
check_contains "with its line too" "$out" "$TEST_TMP/rd.conf:2: rules-dir $TEST_TMP/empty: no *.rules files"
out=$(DCVMAIL_RULES_DIR= "$DCVMAIL" -c "$TEST_TMP/rd.conf" -d "$S" check --dry-run - </dev/null 2>&1); rc=$?
check_eq "start-up refuses it the same way (78)" "$rc" 78
check_contains "with the same line" "$out" "$TEST_TMP/rd.conf:2: rules-dir $TEST_TMP/empty: no *.rules files"

# no config file at all
if [ ! -e /etc/dcvmail/dcvmail.conf ]; then
	out=$(DCVMAIL_CONFIG= "$DCVMAIL" -d "$S" -n 2>&1); rc=$?
	check_eq "no config file: -n passes (0)" "$rc" 0
	check_contains "and says defaults are in use" "$out" "no config file (/etc/dcvmail/dcvmail.conf), defaults in use"
else
	skip "/etc/dcvmail/dcvmail.conf exists here"
fi

if [ "$(id -u)" != 0 ]; then
	skip "the checks as another user need root"
	t_done
fi
# as root, for the service user (here nobody): the state directory's owner
# is who dcvmail runs as, and what that user cannot use is found
P=$(mktemp -d /tmp/dcvmail-cc.XXXXXX); chmod 755 "$P"
trap 'rm -rf "$P"' EXIT
mkdir -m 700 "$P/state" "$P/state/archive" "$P/state/archive/f4"
chown -R nobody:nogroup "$P/state"
chown root:root "$P/state/archive/f4" # what a root import left behind
printf 'secret\n' >"$P/pw"; chmod 600 "$P/pw"; chown nobody "$P/pw"
printf 'syslog no\nstate-dir %s/state\nmailbox whois {\n  url imaps://h/\n  user u\n  password-file %s/pw\n  role whois\n}\n' \
	"$P" "$P" >"$P/c.conf"
chmod 644 "$P/c.conf"
out=$("$DCVMAIL" -c "$P/c.conf" -n 2>&1); rc=$?
check_eq "root: an archive subdirectory owned by root fails (78)" "$rc" 78
check_contains "checking as the state directory's owner" "$out" "checking as nobody, the owner of $P/state"
check_contains "naming the directory, both users and the fix" "$out" \
	"archive directory $P/state/archive/f4 is owned by root, not by nobody (the user dcvmail runs as)"
check_contains "with the chown that fixes it" "$out" "fix with: chown -R nobody: $P/state"
chown nobody "$P/state/archive/f4"
out=$("$DCVMAIL" -c "$P/c.conf" -n 2>&1); rc=$?
check_eq "root: all the service user's: passes (0)" "$rc" 0
chown root "$P/pw"
out=$("$DCVMAIL" -c "$P/c.conf" -n 2>&1); rc=$?
check_eq "root: a password file the service user does not own fails (78)" "$rc" 78
check_contains "saying whose it is" "$out" "$P/c.conf:3: password-file of mailbox 'whois' $P/pw is owned by root, not by nobody"
chown nobody "$P/pw"
chmod 640 "$P/c.conf" # root:root 0640, as the issue found it installed
out=$("$DCVMAIL" -c "$P/c.conf" -n 2>&1); rc=$?
check_eq "root: a config the service user cannot read fails (78)" "$rc" 78
check_contains "saying as whom" "$out" "$P/c.conf: Permission denied (as user nobody"
check_contains "and how to fix it" "$out" "fix with: chgrp nobody $P/c.conf && chmod 640 $P/c.conf"
# the deferral Postfix gets for it: one line, the cause, no "see the logs"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$DCVMAIL" -c "$P/c.conf" pipe \
	<"$TOP/tests/corpus/ca/sectigo-dcv-plain.eml" 2>&1); rc=$?
check_eq "pipe as the service user, config unreadable: exit 75" "$rc" 75
check_eq "one 4.3.0 line naming the file, the cause and the user" "$out" \
	"4.3.0 $P/c.conf: Permission denied (as user nobody)"
chmod 644 "$P/c.conf"
# a root-owned archive directory: the answer names it (syslog yes, as
# installed: the detail goes to the mail log, Postfix gets one line)
sed -i 's/^syslog no/syslog yes/' "$P/c.conf"
h=$(sha256sum "$TOP/tests/corpus/ca/sectigo-dcv-plain.eml" | cut -c1-2)
mkdir -p -m 700 "$P/state/archive/$h"; chown root "$P/state/archive/$h"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$DCVMAIL" -c "$P/c.conf" pipe \
	<"$TOP/tests/corpus/ca/sectigo-dcv-plain.eml" 2>&1); rc=$?
check_eq "pipe into a root-owned archive directory: exit 75" "$rc" 75
check_contains "one 4.3.0 line with the cause" "$out" "4.3.0 dcvmail could not record the message: $P/state/archive/$h: owned by uid 0"
check_eq "and only one line" "$(printf '%s\n' "$out" | wc -l)" 1
t_done
