# Own DKIM verification (verify-dkim yes): messages signed here by an
# independent implementation (Debian's python3-dkim) with a test key that a
# private dnsmasq on 127.0.0.1 publishes; a changed body or header fails, and
# anything that cannot be told (no key, revoked key, DNS down, l=) is never a pass.
. "$TOP/tests/lib.sh"
command -v dnsmasq >/dev/null || { skip "dnsmasq not installed"; exit 0; }
PY=/usr/bin/python3
"$PY" -c 'import dkim' 2>/dev/null || { skip "python3-dkim not installed"; exit 0; }
D=
BH=
trap '[ -n "$D" ] && kill $D 2>/dev/null; [ -n "$BH" ] && kill $BH 2>/dev/null' EXIT
FIX="$TOP/tests/corpus/ca"
S="$TEST_TMP/state"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_TMP/k.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TEST_TMP/other.pem" 2>/dev/null
pub=$(openssl pkey -in "$TEST_TMP/k.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
# a 2048-bit key does not fit in one TXT character-string: publish it in two
p1=$(printf '%s' "$pub" | cut -c1-200); p2=$(printf '%s' "$pub" | cut -c201-)

dns_start() {
	PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	: >"$TEST_TMP/dnsmasq.log"
	dnsmasq --no-daemon --no-resolv --no-hosts --log-queries --log-facility=- \
		--local=/digitalcertvalidation.com/ --local=/digicert.com/ --local=/evil.example/ \
		--listen-address=127.0.0.1 --bind-interfaces --port="$PORT" --pid-file="$TEST_TMP/dnsmasq.pid" \
		--txt-record=sel1._domainkey.digitalcertvalidation.com,"v=DKIM1; k=rsa; p=$p1","$p2" \
		--txt-record=gone._domainkey.digitalcertvalidation.com,"v=DKIM1; k=rsa; p=" \
		--txt-record=sel1._domainkey.evil.example,"v=DKIM1; k=rsa; p=$p1","$p2" \
		>>"$TEST_TMP/dnsmasq.log" 2>&1 &
	D=$!
	for _ in $(seq 50); do grep -q "started" "$TEST_TMP/dnsmasq.log" 2>/dev/null && break; sleep 0.1; done
}
conf() {
	cat >"$TEST_TMP/c.conf" <<CONF
syslog no
verify-dkim $1
dns-server 127.0.0.1:$PORT
auto-approve digicert
route {
  type dcv suspicious
  approve
}
CONF
}
# sign FILE OUT [selector] [domain] [key] [length]
sign() {
	"$PY" - "$1" "$2" "${3:-sel1}" "${4:-digitalcertvalidation.com}" "${5:-$TEST_TMP/k.pem}" "${6:-}" <<'PY'
import dkim, sys
src, out, sel, dom, key, length = sys.argv[1:7]
msg = open(src, "rb").read()
sig = dkim.sign(msg, sel.encode(), dom.encode(), open(key, "rb").read(),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
                canonicalize=(b"relaxed", b"relaxed"), length=bool(length))
open(out, "wb").write(sig + msg)
PY
}
auth() { # FILE -> "type auth reason | actions"
	"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" check --dry-run --json "$1" 2>/dev/null |
		python3 -c 'import json,sys; o=json.loads(sys.stdin.readline()); print(o["type"], o["auth"]["result"], o["auth"]["reason"], "|", " ".join(a["kind"] for a in o["actions"]))'
}
dns_start
conf yes
"$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" expect add --ca digicert --domain shop.example.com --until +10d >/dev/null
M="$FIX/digicert-dcv-copy-webmaster.eml"
sign "$M" "$TEST_TMP/signed.eml"

out=$(auth "$TEST_TMP/signed.eml")
check_contains "a signature by the CA's domain verifies: auth pass" "$out" "dcv pass dkim=pass header.d=digitalcertvalidation.com s=sel1 (verified by dcvmail)"
check_contains "so an expected request can be approved" "$out" "| approve"
sed 's/Q2hvb3NlIHlvdXIgb3duIHRva2Vu/ZXZpbCB0b2tlbg/' "$TEST_TMP/signed.eml" >"$TEST_TMP/body.eml"
out=$(auth "$TEST_TMP/body.eml")
check_contains "a changed body fails" "$out" "fail dkim=fail header.d=digitalcertvalidation.com s=sel1 (verified by dcvmail: body hash mismatch"
check_contains "and the mail is suspicious" "$out" "suspicious fail"
check_not_contains "and never approved" "$out" "approve"
sed 's/^Subject: .*/Subject: [Action Required] Approve Certificate Request for bank.example.com {48213377}/' "$TEST_TMP/signed.eml" >"$TEST_TMP/subj.eml"
out=$(auth "$TEST_TMP/subj.eml")
check_contains "a changed signed header fails" "$out" "fail dkim=fail header.d=digitalcertvalidation.com s=sel1 (verified by dcvmail: signature mismatch"
{ printf 'From: DigiCert <no-reply@digicert.com>\n'; cat "$TEST_TMP/signed.eml"; } >"$TEST_TMP/twofrom.eml"
out=$(auth "$TEST_TMP/twofrom.eml")
check_contains "a second From above a valid signature: no pass" "$out" "more than one From header"
check_not_contains "and no approval" "$out" "| approve"
cp "$TEST_TMP/c.conf" "$TEST_TMP/c.keep"; printf 'limit message-size 1K\n' >>"$TEST_TMP/c.conf"
out=$(auth "$TEST_TMP/signed.eml")
check_eq "a message over the size limit (body maybe cut) is not judged: oversized, no pass, no approval" "$out" "oversized none None | "
mv "$TEST_TMP/c.keep" "$TEST_TMP/c.conf"
sign "$M" "$TEST_TMP/wrongkey.eml" sel1 digitalcertvalidation.com "$TEST_TMP/other.pem"
out=$(auth "$TEST_TMP/wrongkey.eml")
check_contains "a signature made with another key fails" "$out" "fail dkim=fail"

sign "$M" "$TEST_TMP/evil.eml" sel1 evil.example
: >"$TEST_TMP/dnsmasq.log"
out=$(auth "$TEST_TMP/evil.eml")
check_contains "a valid signature by another domain does not authenticate the CA" "$out" "none DigiCert unauthenticated: no DKIM signature by DigiCert's domains"
check_not_contains "and costs no DNS query" "$(cat "$TEST_TMP/dnsmasq.log")" "evil.example"
sign "$M" "$TEST_TMP/nokey.eml" missing
out=$(auth "$TEST_TMP/nokey.eml")
check_contains "a selector without a key: cannot verify, no pass" "$out" "none DigiCert unauthenticated: dkim=permerror header.d=digitalcertvalidation.com s=missing"
check_not_contains "and no approval" "$out" "approve"
sign "$M" "$TEST_TMP/revoked.eml" gone
out=$(auth "$TEST_TMP/revoked.eml")
check_contains "a revoked key (p= empty): no pass" "$out" "none DigiCert unauthenticated: dkim=permerror header.d=digitalcertvalidation.com s=gone"
# l=: the signature covers the original body; text added below it must not ride on it
sign "$M" "$TEST_TMP/len.eml" sel1 digitalcertvalidation.com "$TEST_TMP/k.pem" yes
out=$(auth "$TEST_TMP/len.eml")
check_contains "an l= signature over the whole body passes" "$out" "dcv pass dkim=pass"
printf '\nAlso approve https://www.digicert.com/link/approve?t=ATTACKER\n' >>"$TEST_TMP/len.eml"
out=$(auth "$TEST_TMP/len.eml")
check_contains "with text appended after l=: no pass" "$out" "covers only"
check_not_contains "and no approval" "$out" "| approve"

conf no
out=$(auth "$TEST_TMP/signed.eml")
check_contains "verify-dkim no: the signature is not checked" "$out" "none no trusted Authentication-Results (trust-authserv-id is not set)"
conf yes

# one DNS query per selector for a whole batch (keys are remembered)
mkdir -p "$TEST_TMP/md/cur" "$TEST_TMP/md/new" "$TEST_TMP/md/tmp"
for i in 1 2 3 4 5; do
	sed "s/^Message-ID: .*/Message-ID: <batch$i@fixtures.example>/" "$M" >"$TEST_TMP/b$i.eml"
	sign "$TEST_TMP/b$i.eml" "$TEST_TMP/md/new/$i.eml"
done
: >"$TEST_TMP/dnsmasq.log"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" check --dry-run --json "$TEST_TMP/md" 2>/dev/null | grep -c '"auth":{"result":"pass"')
check_eq "five signed messages in a Maildir all pass" "$out" 5
check_eq "with one DNS query for the key" "$(grep -c 'query\[TXT\] sel1._domainkey.digitalcertvalidation.com' "$TEST_TMP/dnsmasq.log")" 1

# the pipe path records the verdict (actions stay queued: no approval attempt here)
printf 'pipe-action-deadline 0\n' >>"$TEST_TMP/c.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe -r admin@example.com <"$TEST_TMP/signed.eml" 2>&1); rc=$?
check_eq "pipe records the signed message" "$rc" 0
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" show --json 1 2>/dev/null)
check_contains "and the ledger keeps auth pass" "$out" '"auth":"pass"'
check_contains "with the approval planned" "$out" '"kind":"approve","target":"https://www.digicert.com/…","why":"every guardrail holds","attempts":0,"state":"queued"'


# DNS gone: a lookup that is never answered costs bounded time, gives no pass
kill $D; wait $D 2>/dev/null; D=
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(120)' >"$TEST_TMP/bh.port" &
BH=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/bh.port" ] && break; sleep 0.1; done
PORT=$(cat "$TEST_TMP/bh.port")
conf yes
t0=$(date +%s)
out=$(auth "$TEST_TMP/signed.eml")
t1=$(date +%s)
check_contains "a DNS server that never answers: temperror, no pass" "$out" "none DigiCert unauthenticated: dkim=temperror"
check_not_contains "and no approval" "$out" "| approve"
check "and the message is still judged within 20 s (resolver timeouts)" [ $((t1 - t0)) -le 20 ]
t0=$(date +%s)
out=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" check --dry-run --json "$TEST_TMP/md" 2>/dev/null | grep -c 'dkim=temperror')
t1=$(date +%s)
check_eq "five messages while DNS is dead: all temperror" "$out" 5
check "without waiting on the dead server once per message (failure remembered a minute)" [ $((t1 - t0)) -le 12 ]
out=$(printf 'syslog no\ndns-server localhost:53\n' >"$TEST_TMP/bad.conf"; "$DCVMAIL" -c "$TEST_TMP/bad.conf" -n 2>&1); rc=$?
check_contains "a dns-server that is not an address is refused at load with file:line" "$out" "bad.conf:2: dns-server: 'localhost:53' is not an IPv4 address[:port]"
t_done
