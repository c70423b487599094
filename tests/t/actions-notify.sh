# notify: an HTTPS POST of a signed JSON document to a local webhook receiver
# (tests/https-server.py with a throwaway CA), once per request; retries,
# giving up, redirects refused, no network in dry runs.
. "$TOP/tests/lib.sh"
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done' EXIT
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"; DB="$S/ledger.db"
P1=$(free_port); P2=$(free_port)
tls_cert "$TEST_TMP" hook
tls_cert "$TEST_TMP" stranger
printf 'k3y-for-the-test\n' >"$TEST_TMP/notify.secret"; chmod 600 "$TEST_TMP/notify.secret"
conf() { # extra top-level lines
	cat >"$TEST_TMP/c.conf" <<CONF
syslog no
role constructed admin@ hostmaster@ webmaster@
notify-secret-file $TEST_TMP/notify.secret
notify-timeout 2
https-ca-file $TEST_TMP/hook-ca.pem
route {
  type dcv ev-intent suspicious
  notify https://localhost:$P1/hooks/dcv?token=SECRET-IN-URL
}
$1
CONF
}
conf ""
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
hits() { [ -f "$TEST_TMP/$1.log" ] && wc -l <"$TEST_TMP/$1.log" | tr -d ' ' || echo 0; }
https_start hook "$P1" hook
https_start other "$P2" stranger

# dry run: planned, nothing sent
out=$(dcv check --dry-run --json "$FIX/digicert-dcv-plain.eml" 2>/dev/null)
check_contains "a dry run plans the notify" "$out" '"kind":"notify"'
dcv pipe --dry-run -r admin@example.com <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
check_eq "--dry-run sends nothing" "$(hits hook)" 0

# a request: one signed POST
dcv pipe -r admin@example.com <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
check_eq "pipe notifies the webhook once" "$(hits hook)" 1
python3 - "$TEST_TMP/hook.log" "$TEST_TMP/notify.secret" "$FIX/digicert-dcv-plain.eml" <<'PY'
import hashlib, hmac, json, re, sys
req = json.loads(open(sys.argv[1]).readline())
key = open(sys.argv[2]).read().strip().encode()
raw = open(sys.argv[3], encoding="utf-8", errors="replace").read()
def ok(c, what): print(("ok - " if c else "not ok - ") + what)
ok(req["method"] == "POST" and req["path"].startswith("/hooks/dcv"), "a POST to the configured path")
ok(req["headers"].get("content-type") == "application/json", "Content-Type is application/json")
ts = req["headers"].get("x-dcvmail-timestamp", "")
want = "sha256=" + hmac.new(key, (ts + "." + req["body"]).encode(), hashlib.sha256).hexdigest()
ok(req["headers"].get("x-dcvmail-signature") == want, "the HMAC-SHA256 signature over timestamp.body verifies")
bad = "sha256=" + hmac.new(b"other key", (ts + "." + req["body"]).encode(), hashlib.sha256).hexdigest()
ok(req["headers"].get("x-dcvmail-signature") != bad, "and would not verify under another key")
doc = json.loads(req["body"])
ok(doc["ca"] == "digicert" and doc["type"] == "dcv", "the document names the CA and the type")
ok(doc["domain"] and doc["domain"] in raw, "and the domain from the mail")
ok(doc["request"] == 1 and doc["copies"] == 1, "and the request id and copies")
ok(doc["authenticated"] is False and "not authenticated" in (doc["why"] or ""), "and says in words the sender is not authenticated")
links = re.findall(r"https://[^\s\"<>]+", raw)
ok(links and not any(l in req["body"] for l in links), "the approval link is not in the document")
PY
dcv pipe -r webmaster@example.com <"$FIX/digicert-dcv-copy-webmaster.eml" >/dev/null 2>&1
check_eq "a second copy of the request notifies nothing more" "$(hits hook)" 1
check_contains "the outbox says so" "$(q "select result from attempts order by id desc limit 1")" "notified https://localhost:$P1/"
check_not_contains "logs and the ledger never hold the webhook's full URL" "$(q "select group_concat(result) from attempts")" "SECRET-IN-URL"

# the receiver fails: retried, then given up and flagged for a person
echo '{"*": {"status": 503}}' >"$TEST_TMP/hook.routes"
dcv pipe -r admin@example.com <"$FIX/sectigo-dcv-plain.eml" >/dev/null 2>&1
check_eq "a 503 was received" "$(hits hook)" 2
row=$(q "select done, attempts, next_try > strftime('%s','now') from outbox where kind = 'notify' order by id desc limit 1")
check_eq "and the notify is kept for a later try" "$row" "0|1|1"
check_contains "with the answer recorded" "$(q "select last_error from outbox order by id desc limit 1")" "HTTP 503"
q "update outbox set next_try = 0, created = created - 2 * 86400 where done = 0"
out=$(dcv outbox 2>&1)
check_eq "after action-retry-max it is tried once more" "$(hits hook)" 3
check_eq "then given up" "$(q "select done from outbox order by id desc limit 1")" 1
check_contains "and the request is flagged for a person" "$(dcv show 2 2>&1)" "needs a person: notify gave up"

# a redirect is never followed
echo "{\"*\": {\"status\": 302, \"location\": \"https://localhost:$P2/elsewhere\"}}" >"$TEST_TMP/hook.routes"
dcv pipe -r admin@example.com <"$FIX/globalsign-dcv.eml" >/dev/null 2>&1
check_eq "a redirect from the receiver is not followed" "$(hits other)" 0
check_contains "and fails with that reason" "$(q "select last_error from outbox order by id desc limit 1")" "redirect"

# a receiver too slow for notify-timeout
echo '{"*": {"status": 200, "delay": 4}}' >"$TEST_TMP/hook.routes"
dcv pipe -r admin@example.com <"$FIX/cybertrust-dcv.eml" >/dev/null 2>&1
check_contains "a receiver slower than notify-timeout is given up on and retried later" \
	"$(q "select done || ' ' || last_error from outbox order by id desc limit 1")" "0 https://localhost:$P1/"
check_contains "the error says it timed out" "$(q "select last_error from outbox order by id desc limit 1")" "imed out"

# a receiver whose certificate is not trusted gets no document
echo '{}' >"$TEST_TMP/hook.routes"
conf "" && sed -i "s|localhost:$P1/hooks|localhost:$P2/hooks|" "$TEST_TMP/c.conf"
n=$(hits other)
dcv pipe -r admin@example.com <"$FIX/certum-dcv.eml" >/dev/null 2>&1
check_eq "a receiver with an untrusted certificate receives nothing" "$(hits other)" "$n"
check_contains "and the error names the certificate problem" "$(q "select last_error from outbox order by id desc limit 1")" "certificate"

# configuration errors
printf 'notify-secret-file %s\nroute {\n  notify http://localhost:%s/hook\n}\n' "$TEST_TMP/notify.secret" "$P1" >"$TEST_TMP/bad.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/bad.conf" -n 2>&1)
check_contains "a plain http:// webhook is refused with file and line" "$out" "bad.conf:3: notify URL must be https://"
chmod 644 "$TEST_TMP/notify.secret"
conf ""
dcv pipe -r admin@example.com <"$FIX/digicert-dcv-ja-iso2022jp.eml" >/dev/null 2>&1
check_contains "a signing key readable by others is refused" "$(q "select last_error from outbox order by id desc limit 1")" "chmod 600"
t_done
