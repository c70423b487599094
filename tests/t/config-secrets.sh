# dcvmail -n checks the secret files the configuration names (modes), and no
# configuration error shows a URL's user:password.
. "$TOP/tests/lib.sh"
C="$TEST_TMP/c.conf"
for f in imap.pw smtp.pw hook.key; do printf 's3cret-%s\n' "$f" >"$TEST_TMP/$f"; chmod 600 "$TEST_TMP/$f"; done
cat >"$C" <<CONF
syslog no
mailbox whois {
  url imaps://imap.example.test/INBOX
  user whois@example.test
  password-file $TEST_TMP/imap.pw
  role whois
}
smtp {
  url submission://mx.example.test
  from dcvmail@example.test
  user dcvmail@example.test
  password-file $TEST_TMP/smtp.pw
}
notify-secret-file $TEST_TMP/hook.key
route {
  notify https://hook.example.test/dcv
}
CONF
n() { "$DCVMAIL" -c "$C" -n 2>&1; }
out=$(n); rc=$?
check_eq "-n: every secret file 0600: ok" "$rc" 0

chmod 644 "$TEST_TMP/imap.pw"
out=$(n); rc=$?
check_eq "-n: a password file readable by others fails the check (78)" "$rc" 78
check_contains "naming the file, its mode and the fix" "$out" "password-file of mailbox 'whois' $TEST_TMP/imap.pw has mode 0644"
check_contains "with the config line of the mailbox" "$out" "c.conf:2: "
check_contains "and the command that fixes it" "$out" "chmod 600 $TEST_TMP/imap.pw"
chmod 600 "$TEST_TMP/imap.pw"; chmod 640 "$TEST_TMP/smtp.pw"; chmod 604 "$TEST_TMP/hook.key"
out=$(n); rc=$?
check_eq "-n: group-readable smtp password, other-readable webhook secret: 78" "$rc" 78
check_contains "the smtp password file is named" "$out" "c.conf:8: smtp password-file $TEST_TMP/smtp.pw has mode 0640"
check_contains "and the webhook secret with its line" "$out" "c.conf:14: notify-secret-file $TEST_TMP/hook.key has mode 0604"
check_contains "both counted" "$out" "2 secret files not safe"
chmod 600 "$TEST_TMP/smtp.pw" "$TEST_TMP/hook.key"
rm "$TEST_TMP/hook.key"
out=$(n); rc=$?
check_eq "-n: a missing secret file is an error (it fails at run time)" "$rc" 78
check_contains "naming the file and line" "$out" "c.conf:14: notify-secret-file $TEST_TMP/hook.key: No such file or directory"
printf 'k\n' >"$TEST_TMP/hook.key"; chmod 600 "$TEST_TMP/hook.key"
ln -sf "$TEST_TMP" "$TEST_TMP/dirlink"
sed -i "s|notify-secret-file .*|notify-secret-file $TEST_TMP/dirlink|" "$C"
out=$(n); rc=$?
check_eq "-n: a directory as secret file fails" "$rc" 78
check_contains "saying so" "$out" "not a regular file"
sed -i "s|notify-secret-file .*|notify-secret-file $TEST_TMP/hook.key|" "$C"

# user:password in URLs never appears in an error
sed -i "s|url submission://mx.example.test|url submission://joe:Pa55word@mx.example.test:bad|" "$C"
out=$(n); rc=$?
check_eq "-n: an smtp url with user-info is refused" "$rc" 78
check_not_contains "without showing the password" "$out" "Pa55word"
check_contains "the url is shown redacted" "$out" "submission://***@mx.example.test:bad"
sed -i "s|url submission://joe:Pa55word@mx.example.test:bad|url submission://mx.example.test|" "$C"
sed -i "s|url imaps://imap.example.test/INBOX|url imaps://whois:Pa55word@imap.example.test/INBOX|" "$C"
out=$(n); rc=$?
check_eq "-n: a mailbox url with user-info is refused" "$rc" 78
check_not_contains "without showing the password" "$out" "Pa55word"
check_contains "saying where the login goes" "$out" "give the login as user and password-file"
sed -i "s|url imaps://whois:Pa55word@imap.example.test/INBOX|url imaps://imap.example.test/INBOX|" "$C"
sed -i "s|notify https://hook.example.test/dcv|notify http://hook:Pa55word@hook.example.test/dcv|" "$C"
out=$(n); rc=$?
check_eq "-n: an http notify url is refused" "$rc" 78
check_not_contains "without showing the password in it" "$out" "Pa55word"
check_contains "but with the rest of the url" "$out" "http://***@hook.example.test/dcv"
t_done
