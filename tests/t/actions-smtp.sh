# Sending by SMTP to a server that is not a trusted local relay: STARTTLS or
# smtps with the certificate checked before AUTH, AUTH from a password file,
# and redirect (the original unchanged, new envelope). The server is
# tests/smtp-server.py; `require-tls yes` makes the loopback server count as
# a remote one.
. "$TOP/tests/lib.sh"
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"; DB="$S/ledger.db"
tls_cert "$TEST_TMP" mx
tls_cert "$TEST_TMP" stranger
printf 's3cret-pw\n' >"$TEST_TMP/smtp.pw"; chmod 600 "$TEST_TMP/smtp.pw"
srv() { # NAME PORT OPTIONS...: start a server logging to NAME.log, mail in NAME/
	n=$1; p=$2; shift 2
	mkdir -p "$TEST_TMP/$n"; : >"$TEST_TMP/$n.log"
	python3 "$TOP/tests/smtp-server.py" "$p" "$TEST_TMP/$n.log" "$TEST_TMP/$n" "$@" 2>>"$TEST_TMP/$n.err" &
	PIDS="$PIDS $!"; wait_port "$p" 10
}
conf() { # URL ACTION [SMTP EXTRA LINES]
	cat >"$TEST_TMP/c.conf" <<CONF
syslog no
role constructed admin@
smtp {
  url $1
  from dcvmail@example.test
  user dcvmail@example.test
  password-file $TEST_TMP/smtp.pw
  require-tls yes
  ca-file $TEST_TMP/mx-ca.pem
  timeout 5
$3
}
route default {
  $2 ops@example.test
}
CONF
}
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
mails() { ls "$TEST_TMP/$1"/*.eml 2>/dev/null | wc -l; }
last_error() { q "select coalesce(last_error, '') from outbox order by id desc limit 1"; }
P1=$(free_port); P2=$(free_port); P3=$(free_port)
srv sub "$P1" --cert "$TEST_TMP/mx.pem" --key "$TEST_TMP/mx.key" --user dcvmail@example.test --password s3cret-pw
srv smtps "$P2" --cert "$TEST_TMP/mx.pem" --key "$TEST_TMP/mx.key" --implicit-tls --user dcvmail@example.test --password s3cret-pw
srv plain "$P3" --cert "$TEST_TMP/mx.pem" --key "$TEST_TMP/mx.key" --no-starttls --user dcvmail@example.test --password s3cret-pw
sleep 0.2; : >"$TEST_TMP/sub.log"; : >"$TEST_TMP/smtps.log"; : >"$TEST_TMP/plain.log" # wait_port's probes

# dry run: nothing
conf "submission://localhost:$P1" forward
dcv pipe --dry-run -r admin@example.com <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
check_eq "--dry-run connects to no SMTP server" "$(grep -c . "$TEST_TMP/sub.log")" 0

# submission with STARTTLS and AUTH
dcv pipe -r admin@example.com <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
check_eq "a forward through submission:// is delivered" "$(mails sub)" 1
check_eq "over STARTTLS, to the routed address" "$(cat "$TEST_TMP/sub/1.env")" "<dcvmail@example.test> <ops@example.test> tls=True"
check_contains "after logging in with the password file, inside TLS" "$(cat "$TEST_TMP/sub.log")" "AUTH PLAIN dcvmail@example.test s3cret-pw tls=True"
check "STARTTLS came before AUTH" sh -c "grep -n 'STARTTLS\|^AUTH' '$TEST_TMP/sub.log' | head -1 | grep -q STARTTLS"
check_eq "the request is forwarded" "$(q "select state from requests order by id desc limit 1")" forwarded

# smtps: TLS from the first byte
conf "smtps://localhost:$P2" forward
dcv pipe -r admin@example.com <"$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
check_eq "a forward through smtps:// is delivered" "$(mails smtps)" 1
check_contains "with AUTH" "$(cat "$TEST_TMP/smtps.log")" "AUTH PLAIN dcvmail@example.test s3cret-pw tls=True"

# certificate problems: refused before AUTH, nothing sent
: >"$TEST_TMP/sub.log"
conf "submission://localhost:$P1" forward && sed -i "s|mx-ca.pem|stranger-ca.pem|" "$TEST_TMP/c.conf"
dcv pipe -r admin@example.com <"$FIX/globalsign-dcv.eml" >/dev/null 2>&1
check_eq "a server certificate from an unknown CA: nothing delivered" "$(mails sub)" 1
check_not_contains "and the password is never sent" "$(cat "$TEST_TMP/sub.log")" "AUTH"
check_contains "the error says why" "$(last_error)" "certificate"
conf "submission://127.0.0.1:$P1" forward
dcv pipe -r admin@example.com <"$FIX/cybertrust-dcv.eml" >/dev/null 2>&1
check_not_contains "a certificate for another name: the password is never sent" "$(cat "$TEST_TMP/sub.log")" "AUTH"
check_contains "and the error names the mismatch" "$(last_error)" "certificate"

# no STARTTLS offered: nothing in clear
conf "smtp://localhost:$P3" forward
dcv pipe -r admin@example.com <"$FIX/certum-dcv.eml" >/dev/null 2>&1
check_eq "a server without STARTTLS gets nothing" "$(mails plain)" 0
check_not_contains "not even the password" "$(cat "$TEST_TMP/plain.log")" "AUTH"
check_not_contains "nor a MAIL FROM" "$(cat "$TEST_TMP/plain.log")" "MAIL FROM"
check_contains "the error says so" "$(last_error)" "offers no STARTTLS"

# submission://localhost with a password and no require-tls: the offered
# STARTTLS is used (the server offers AUTH only inside TLS)
: >"$TEST_TMP/sub.log"; n=$(mails sub)
conf "submission://localhost:$P1" forward && sed -i '/require-tls yes/d' "$TEST_TMP/c.conf"
dcv pipe -r admin@example.com <"$FIX/godaddy-dcv.eml" >/dev/null 2>&1
check_eq "loopback without require-tls: the forward is delivered" "$(mails sub)" $((n + 1))
check_contains "over the offered STARTTLS" "$(cat "$TEST_TMP/sub.log")" "STARTTLS"
check_contains "with AUTH inside TLS" "$(cat "$TEST_TMP/sub.log")" "AUTH PLAIN dcvmail@example.test s3cret-pw tls=True"
check_eq "the mail itself went over TLS" "$(cat "$TEST_TMP/sub/$((n + 1)).env")" "<dcvmail@example.test> <ops@example.test> tls=True"
# a local relay with a certificate nobody can check (snakeoil): still TLS,
# no worse than the clear text a loopback relay may get
: >"$TEST_TMP/sub.log"
conf "submission://localhost:$P1" forward && sed -i '/require-tls yes/d; s|mx-ca.pem|stranger-ca.pem|' "$TEST_TMP/c.conf"
dcv pipe -r admin@example.com <"$FIX/sslcom-dcv.eml" >/dev/null 2>&1
check_eq "loopback, unknown certificate, no require-tls: delivered" "$(mails sub)" $((n + 2))
check_eq "over TLS all the same" "$(cat "$TEST_TMP/sub/$((n + 2)).env")" "<dcvmail@example.test> <ops@example.test> tls=True"

# a wrong password: refused, not retried, the request needs a person
printf 'wrong\n' >"$TEST_TMP/smtp.pw"
conf "submission://localhost:$P1" forward
dcv pipe -r admin@example.com <"$FIX/digicert-dcv-ja-iso2022jp.eml" >/dev/null 2>&1
check_contains "a refused login is reported" "$(last_error)" "refused the login of dcvmail@example.test"
check_eq "and given up at once" "$(q "select done, ok from outbox order by id desc limit 1")" "1|0"
check_contains "the request needs a person" "$(q "select state_note from requests order by id desc limit 1")" "needs a person: forward gave up"
check_not_contains "the password never appears in the ledger" "$(q "select group_concat(result) from attempts")" "wrong"
printf 's3cret-pw\n' >"$TEST_TMP/smtp.pw"

# redirect: the original, unchanged, to a new envelope
conf "submission://localhost:$P1" redirect
n=$(mails sub)
dcv pipe -r admin@example.com <"$FIX/amazon-acm-htmlb64.eml" >/dev/null 2>&1
check_eq "redirect delivers one message" "$(mails sub)" $((n + 1))
check_eq "with the new envelope" "$(cat "$TEST_TMP/sub/$((n + 1)).env")" "<dcvmail@example.test> <ops@example.test> tls=True"
python3 - "$TEST_TMP/sub/$((n + 1)).eml" "$FIX/amazon-acm-htmlb64.eml" <<'PY'
import sys
norm = lambda b: b.replace(b"\r\n", b"\n").rstrip(b"\n")
ok = norm(open(sys.argv[1], "rb").read()) == norm(open(sys.argv[2], "rb").read())
print(("ok - " if ok else "not ok - ") + "the redirected message is the original, byte for byte (line ends aside)")
PY

# configuration errors name the file and line
printf 'smtp {\n  url ftp://localhost\n  from a@b\n}\n' >"$TEST_TMP/bad.conf"
check_contains "an smtp url of another scheme is refused" "$("$DCVMAIL" -c "$TEST_TMP/bad.conf" -n 2>&1)" "bad.conf:1: smtp url 'ftp://localhost' must start with smtp://"
printf 'smtp {\n  url submission://mx.example.com\n  from a@b\n  user a@b\n}\n' >"$TEST_TMP/bad.conf"
check_contains "a user without a password file is refused" "$("$DCVMAIL" -c "$TEST_TMP/bad.conf" -n 2>&1)" "user and password-file go together"
printf 'smtp {\n  url submission://mx.example.com\n  from a@b\n  user a@b\n  password-file /p\n  require-tls no\n}\n' >"$TEST_TMP/bad.conf"
check_contains "require-tls no with a password to another host is refused" "$("$DCVMAIL" -c "$TEST_TMP/bad.conf" -n 2>&1)" "would send the password in clear"
t_done
