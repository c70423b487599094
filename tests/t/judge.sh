# One judge: an action judges the archived mail as the intake did, with the
# envelope the ledger kept (its mailbox's role, its intake's trust) and the
# malformed marking. A rule that holds only for mail to the approver's
# mailbox: recorded dcv by pipe, `approve --dry-run` and the forward's
# summary (through tests/smtp-server.py) must call it dcv too; a malformed
# copy stays malformed there, and is never approved.
. "$TOP/tests/lib.sh"
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; DB="$S/ledger.db"; R="$TEST_TMP/rules"; OUT="$TEST_TMP/smtp"
SPORT=$(free_port)
mkdir -p "$R" "$OUT"
cat >"$R/testca.rules" <<'RULES'
ca testca "Test CA"
  from-domain  ca.test
  dkim-domain  ca.test
  link-host    localhost

rule testca-approver
  type     dcv
  role     approver
  subject  /^Approve the certificate for (?<domain>\S+) \(order (?<order>\d+)\)/
  link     approve /\/approve\?/
  link     reject  /\/reject\?/

rule testca-any-mailbox
  type     dcv
  subject  /^Validate (?<domain>\S+) \(order (?<order>\d+)\)/
  link     approve /\/approve\?/
RULES
export DCVMAIL_RULES_DIR="$R"
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
rules-dir $R
trust-authserv-id mx.example.test
role approver approver@example.test
smtp {
  url smtp://127.0.0.1:$SPORT
  from dcvmail@example.test
  timeout 5
}
route {
  type dcv malformed
  forward ops@example.test
}
CONF
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
mails() { ls "$OUT"/*.eml 2>/dev/null | wc -l; }
: >"$TEST_TMP/smtp.log"
python3 "$TOP/tests/smtp-server.py" "$SPORT" "$TEST_TMP/smtp.log" "$OUT" 2>>"$TEST_TMP/smtp.err" &
PIDS="$PIDS $!"; wait_port "$SPORT" 10
# mail ORDER [BODY]: an authenticated DCV request from the test CA to the approver
mail() {
	cat <<EOF
Authentication-Results: mx.example.test; dkim=pass header.d=ca.test
From: Test CA Validation <validation@ca.test>
To: approver@example.test
Subject: Approve the certificate for www.example.com (order $1)
Message-ID: <m$1@ca.test>
Date: $(date -u -R)
MIME-Version: 1.0
${2:-Content-Type: text/plain; charset=utf-8

Approve: https://localhost:4443/approve?order=$1&t=tok
Reject: https://localhost:4443/reject?order=$1&t=tok
}
EOF
}
mail 1001 >"$TEST_TMP/m1.eml"

# the rule holds only for the approver's mailbox
out=$(dcv check --dry-run "$TEST_TMP/m1.eml" 2>&1)
check_contains "without the approver's role the rule does not hold (a notice naming the CA)" "$out" "	notice	testca/-	"
check_contains "saying no rule of the CA matched" "$out" "no rule of CA testca matched"

# recorded dcv by pipe, to the approver
dcv pipe -r approver@example.test <"$TEST_TMP/m1.eml" >/dev/null 2>&1
check_eq "pipe exits 0" "$?" 0
check_eq "pipe records the mail as dcv, by the approver rule, with the role" \
	"$(q "select type || ' ' || rule || ' ' || role from messages")" "dcv testca-approver approver"
check_eq "it makes a request" "$(q "select count(*) from requests")" 1

# the forward's summary judges it the same way
n=0; while [ "$(mails)" -lt 1 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
check_eq "one forward reaches the SMTP server" "$(mails)" 1
python3 - "$OUT/1.eml" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
subj = str(m["Subject"])
ok(subj.startswith("[dcvmail] dcv testca www.example.com: "), "the forward's subject says dcv: " + subj)
text = list(m.iter_parts())[0].get_content()
ok("dcvmail received a dcv mail that reads like Test CA" in text, "the summary calls it a dcv mail of the CA")
ok("Type:     dcv" in text and "Order:    1001" in text, "with its type and order")
ok("Sender authenticated: yes" in text, "and the sender authenticated, as the intake judged it")
ok("Approve link: https://localhost:4443/approve?order=1001" in text, "with the approval link")
PY

# approve --dry-run: judged as dcv, every guardrail holds for a person
out=$(dcv approve 1 --dry-run 2>&1); rc=$?
check_not_contains "approve --dry-run does not call it unknown" "$out" "never approved"
check_contains "it would open the approval link (redacted)" "$out" "request 1: would open https://localhost:4443/"
check_contains "on the CA's page, sending nothing" "$out" "on the CA's page (dry run: nothing sent)"
check_eq "approve --dry-run exits 0" "$rc" 0

# the guardrails are still the real ones: an unauthenticated mail for
# another order matches the same rule, and is refused for what it is
mail 1002 | sed 1d >"$TEST_TMP/m2.eml"
dcv pipe -r approver@example.test <"$TEST_TMP/m2.eml" >/dev/null 2>&1
check_eq "the unauthenticated mail is recorded suspicious, of the dcv rule" \
	"$(q "select type || ' ' || rule_type from messages where message_id like '%m1002@%'")" "suspicious dcv"
out=$(dcv approve 2 --dry-run 2>&1); rc=$?
check_contains "approve --dry-run calls it suspicious" "$out" "request 2 would not be approved: the mail is suspicious"
check_contains "and names the missing authentication" "$out" "; sender not authenticated"
check_not_contains "and not the type" "$out" "never approved"
check_eq "and exits 65" "$rc" 65

# a malformed mail (its MIME part never closes) is malformed for the action
# too: never approved, and the forward says so (a rule for any mailbox)
mail 1003 "Content-Type: multipart/mixed; boundary=\"b1\"

--b1
Content-Type: text/plain; charset=utf-8

Approve: https://localhost:4443/approve?order=1003&t=tok
" | sed 's/^Subject: .*/Subject: Validate www.example.com (order 1003)/' >"$TEST_TMP/m3.eml"
dcv pipe -r admin@example.test <"$TEST_TMP/m3.eml" >/dev/null 2>&1
check_eq "pipe records the truncated mail as malformed, of the dcv rule" \
	"$(q "select type || ' ' || rule_type from messages where message_id like '%m1003@%'")" "malformed dcv"
out=$(dcv approve 3 --dry-run 2>&1); rc=$?
check_contains "approve --dry-run refuses it as malformed" "$out" "a malformed mail is never approved"
check_not_contains "and would open nothing" "$out" "would open"
check_eq "and exits 65" "$rc" 65
n=0; while [ "$(mails)" -lt 3 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
f=$(grep -l "1003" "$OUT"/*.eml | head -1)
check_contains "its forward's summary calls it malformed" "$(cat "$f" 2>/dev/null)" "dcvmail received a malformed mail"
check_contains "with the rule's type, the status and why" "$(cat "$f" 2>/dev/null)" \
	"Type:     dcv (malformed: multipart/mixed: no closing boundary (truncated))"
t_done
