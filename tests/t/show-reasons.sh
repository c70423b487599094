# Reasons everywhere (issue 16.1): `show` and `show --json` list each copy's
# reasons and authentication result; the forward of a suspicious mail states
# each reason once, first, and its approval link cannot be clicked.
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"; P="$TOP/tests/corpus/phish"; FIX="$TOP/tests/corpus/ca"
PORT=$(free_port); OUT="$TEST_TMP/smtp"; mkdir -p "$OUT"
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
trust-authserv-id mx.example.test
role constructed admin@
smtp {
  url smtp://127.0.0.1:$PORT
  from dcvmail@example.test
}
route {
  type dcv ev-intent suspicious
  forward ops@example.test
  approve
}
auto-approve digicert
CONF
python3 "$TOP/tests/smtp-server.py" "$PORT" "$TEST_TMP/smtp.log" "$OUT" --no-starttls 2>"$TEST_TMP/smtp.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null' EXIT
wait_port "$PORT" 10
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }

# a lookalike link (authenticated sender) and a CA's wording without authentication
dcv pipe -r admin@example.com <"$P/lookalike-suffix.eml" >/dev/null 2>&1
check_eq "the lookalike is recorded" "$?" 0
dcv pipe -r admin@example.com <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
check_eq "the unauthenticated request is recorded" "$?" 0

out=$(dcv show 1)
check_contains "show names the authentication result's reason" "$out" \
	"authentication: dkim=pass header.d=digicert.com (mx.example.test)"
check_contains "show lists why the copy is suspicious" "$out" \
	"! approval link host 'www.digicert.com.evil.example' is not allowed for DigiCert"
out=$(dcv show 2)
check_contains "show: the unauthenticated copy says why" "$out" \
	"! DigiCert wording, but the sender is not authenticated"
dcv show --json 1 | python3 -c '
import json, sys
o = json.load(sys.stdin)
m = o["messages"][0]
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
ok(m["auth_reason"] == "dkim=pass header.d=digicert.com (mx.example.test)", "show --json: auth_reason " + repr(m["auth_reason"]))
ok(any("is not allowed for DigiCert" in r for r in m["reasons"]) and len(m["reasons"]) >= 2,
   "show --json: the reasons of the copy %r" % m["reasons"])
'
# an old ledger row without reasons: an empty list, no error
sqlite3 "$S/ledger.db" "update messages set reasons = NULL, auth_reason = NULL where id = 2"
check_contains "show --json of a copy without recorded reasons" "$(dcv show --json 2)" '"auth_reason":null,"reasons":[]'

# the forwards (sent inline by pipe)
n=0; while [ "$(ls "$OUT"/*.eml 2>/dev/null | wc -l)" -lt 2 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
check_eq "two forwards sent" "$(ls "$OUT"/*.eml | wc -l)" 2
for f in "$OUT"/*.eml; do
	python3 - "$f" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
text = list(m.iter_parts())[0].get_content()
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
subj = str(m["Subject"])
name = "forward of " + ("the lookalike" if "bank.example.com" in subj else "the unauthenticated request")
ok("https://" not in text and "http://" not in text, name + ": no clickable link in the summary")
ok("hxxps://www[.]digicert[.]com" in text, name + ": the approval link is defanged")
warn, typ = text.find("WARNING"), text.find("  Type:")
ok(0 <= warn < typ, name + ": the warning and its reasons come before the facts")
bullets = [l[5:] for l in text.splitlines() if l.startswith("   - ")]
ok(len(bullets) == len(set(bullets)) and bullets, name + ": each reason once %r" % bullets)
ok(all(text.find(b) < typ for b in bullets), name + ": the reasons come first")
if "bank.example.com" in subj:
    ok(sum("imitates" in b for b in bullets) == 1, name + ": one lookalike host imitating is one reason")
    ok(text.count("not allowed") == 1, name + ": the link host's problem is said once")
else:
    ok(text.lower().count("not authenticated") == 1, name + ": 'not authenticated' is said once")
    ok("Sender authenticated: NO (see above)" in text, name + ": the summary line points to the reason")
    ok(any("no `dcvmail expect` for digicert shop.example.com" in b for b in bullets),
       name + ": the guardrail the plan found failing, in its words")
ok("Do not open its links" in text, name + ": the person is told not to open the links")
PY
done
t_done
