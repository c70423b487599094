# Forward: the person who must act gets a summary and the original, once per
# request, through a real SMTP server (smtp-sink) on 127.0.0.1.
. "$TOP/tests/lib.sh"
command -v smtp-sink >/dev/null || { skip "smtp-sink (postfix) not installed"; exit 0; }
PORT=$(free_port); SINK=$(mktemp -d /tmp/dcvmail-sink.XXXXXX); chmod 777 "$SINK"
S="$TEST_TMP/state"; FIX="$TOP/tests/corpus/ca"
cat >"$TEST_TMP/c.conf" <<CONF
syslog no
role constructed admin@ hostmaster@
# the fixtures are days old: their pending alerts and digests are alerts.sh's
pending-alert-mail no
digest off
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
start_sink() {
	smtp-sink -u nobody -d "$SINK/%M." -c 127.0.0.1:"$PORT" 20 >/dev/null 2>&1 &
	SINK_PID=$!; wait_port "$PORT" 10
}
trap 'kill $SINK_PID 2>/dev/null; rm -rf "$SINK"' EXIT
dcv() { "$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" "$@"; }

# dry run: planned, but no SMTP at all
start_sink
out=$(dcv check --dry-run --json "$FIX/digicert-dcv-ja-iso2022jp.eml" 2>/dev/null)
check_contains "dry run plans a forward" "$out" '"kind":"forward","target":"ops@example.test"'
check_not_contains "dry run plans no approval (unauthenticated, unexpected)" "$out" '"kind":"approve"'
check_contains "the plan says why in plain words" "$out" "sender not authenticated"
check_contains "and that the order was not checked against expectations" "$out" "expectations"
dcv pipe --dry-run -r admin@example.jp <"$FIX/digicert-dcv-ja-iso2022jp.eml" >/dev/null 2>&1
sleep 0.5
check_eq "--dry-run sends no mail" "$(ls "$SINK" | wc -l)" 0

# pipe records and forwards inline
dcv pipe -r admin@example.jp <"$FIX/digicert-dcv-ja-iso2022jp.eml" >/dev/null 2>&1
check_eq "pipe exits 0" "$?" 0
n=0; while [ "$(ls "$SINK" | wc -l)" -lt 1 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
check_eq "one message reaches the SMTP server" "$(ls "$SINK" | wc -l)" 1
f=$(ls "$SINK"/* | head -1)
python3 - "$f" "$FIX/digicert-dcv-ja-iso2022jp.eml" <<'PY'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
# smtp-sink keeps the envelope lines before the message
i = raw.find(b"From: dcvmail")
m = email.message_from_bytes(raw[i:], policy=email.policy.default)
orig = open(sys.argv[2], "rb").read()
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
subj = str(m["Subject"])
ok("ドメイン名の利用権確認のお願い" in subj, "the Japanese subject decodes back: " + subj)
ok(m["To"] == "<ops@example.test>" or "ops@example.test" in m["To"], "addressed to the responsible person")
parts = list(m.iter_parts())
ok(len(parts) == 2, "a summary and an attachment")
text = parts[0].get_content()
ok("DigiCert" in text and "www.example.jp" in text and "55120987" in text, "the summary names CA, domain and order")
ok("Sender authenticated: NO" in text, "the summary says the sender is not authenticated")
ok("not an expected order" in text, "the summary says the order was not expected")
ok("Approve link: https://" in text and "hxxp" not in text, "a mail that is not suspicious keeps its approval link usable")
ok(text.find("not an expected order") < text.find("  Type:"), "why a person must look comes first")
ok(parts[1].get_content_type() == "message/rfc822", "the original is attached as message/rfc822")
att = parts[1].as_bytes(policy=email.policy.default)
body = raw[i:].replace(b"\r\n", b"\n")
start = body.find(b"Content-Disposition: attachment")
att_raw = body[body.find(b"\n\n", start) + 2:]
att_raw = att_raw[:att_raw.rfind(b"--=_dcvmail")]
norm = lambda b: b.replace(b"\r\n", b"\n").rstrip(b"\n")
ok(norm(att_raw) == norm(orig), "the attachment is byte-identical to the original (line ends aside)")
PY
check_eq "the request is now forwarded" "$(sqlite3 "$S/ledger.db" "select state from requests")" forwarded

# a second copy of the same request: no second forward
dcv pipe -r hostmaster@example.jp <"$FIX/digicert-dcv-ja-sjis-base64.eml" >/dev/null 2>&1
sleep 1
check_eq "a second copy sends nothing more" "$(ls "$SINK" | wc -l)" 1
check_eq "but is counted" "$(sqlite3 "$S/ledger.db" "select copies from requests")" 2

# server down: the action stays queued with its error, and is retried later
kill $SINK_PID; wait $SINK_PID 2>/dev/null
dcv pipe -r admin@example.com <"$FIX/digicert-dcv-plain.eml" >/dev/null 2>&1
check_eq "pipe still exits 0 when the relay is down" "$?" 0
row=$(sqlite3 "$S/ledger.db" "select done, attempts, next_try > strftime('%s','now') from outbox where kind = 'forward' order by id desc limit 1")
check_eq "the forward is kept for a later try" "$row" "0|1|1"
check_contains "with the error recorded" "$(sqlite3 "$S/ledger.db" "select last_error from outbox order by id desc limit 1")" "connect to 127.0.0.1:$PORT"
sqlite3 "$S/ledger.db" "update outbox set next_try = 0"
start_sink
out=$(dcv outbox); check_contains "dcvmail outbox runs what is due" "$out" "1 action run; 0 queued"
check_eq "and the mail goes out" "$(ls "$SINK" | wc -l)" 2
# very long subjects (ASCII words, one unbroken token, Japanese): the forward's
# Subject is folded or RFC 2047 encoded, no line over 998 (header lines at
# most 78), and it decodes back to the same subject
i=0
for kind in words token ja; do
	i=$((i + 1))
	python3 - "$FIX/sectigo-dcv-plain.eml" "$TEST_TMP/long-$kind.eml" "$kind" "$i" <<'PY'
import email, email.policy, sys
src, dst, kind, i = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
m = email.message_from_bytes(open(src, "rb").read(), policy=email.policy.default)
base = "ORDER #90000000%s - Domain Control Validation for www.example.net " % i
tail = {"words": "please approve this request " * 120, "token": "x" * 1500,
        "ja": "ドメイン名の利用権確認のお願い。" * 60}[kind]
del m["Subject"]; m["Subject"] = base + tail.strip()
del m["Message-ID"]; m["Message-ID"] = "<long-%s@example.net>" % kind
open(dst, "wb").write(m.as_bytes(policy=email.policy.SMTP.clone(max_line_length=78)))
PY
	before=$(ls "$SINK" | wc -l)
	dcv pipe -r admin@example.net <"$TEST_TMP/long-$kind.eml" >/dev/null 2>&1
	n=0; while [ "$(ls "$SINK" | wc -l)" -le "$before" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	f=$(ls -t "$SINK"/* | head -1)
	python3 - "$f" "$TEST_TMP/long-$kind.eml" "$kind" <<'PY'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
raw = raw[raw.find(b"From: dcvmail"):].replace(b"\r\n", b"\n") # smtp-sink stores LF
kind = sys.argv[3]
def ok(c, d): print(("ok - " if c else "not ok - ") + d)
orig = email.message_from_bytes(open(sys.argv[2], "rb").read(), policy=email.policy.default)
# (runs of white space collapsed: decoders differ on the space around encoded-words)
norm = lambda t: " ".join(t.split())
want = norm(str(orig["Subject"]))
lines = raw.split(b"\n")
ok(max(len(l) for l in lines) <= 998, "%s subject (%d characters): no line of the forward over 998" % (kind, len(want)))
head = raw[:raw.find(b"\n\n")]
subj_lines = []
for l in head.split(b"\n"):
    if l.startswith(b"Subject:"): subj_lines = [l]
    elif subj_lines and l[:1] in (b" ", b"\t") and len(subj_lines) and subj_lines[-1] is not None: subj_lines.append(l)
    elif subj_lines: subj_lines.append(None)
subj_lines = [l for l in subj_lines if l is not None]
ok(len(subj_lines) > 1 and max(len(l) for l in subj_lines) <= 78,
   "%s: the Subject is folded on %d lines of at most 78" % (kind, len(subj_lines)))
if kind == "words":
    ok(b"=?" not in b"".join(subj_lines), "words: plain ASCII is folded, not encoded")
m = email.message_from_bytes(raw, policy=email.policy.default)
got = norm(str(m["Subject"]))
ok(got.startswith("[dcvmail] dcv sectigo www.example.net: ") and got.endswith(want),
   "%s: it decodes back to the same subject" % kind)
text = list(m.iter_parts())[0].get_content()
ok(want in norm(text.replace("\r\n", "\n").replace("\n             ", "")), "%s: the summary keeps the whole subject" % kind)
PY
done
t_done
