# Control characters never reach a terminal: C0 (ESC), DEL, C1 (U+009B CSI)
# and bidi overrides in subjects, captured fields, file names and envelope
# recipients come out of check, list, show, report, rules test and the log as
# visible escapes (\x1b, \u009b, \u202e); JSON stays exact; a captured domain
# or order that is not a host name / order token is dropped with a reason.
. "$TOP/tests/lib.sh"
D="$TEST_TMP"; S="$D/state"; FIX="$TOP/tests/corpus/ca"
printf 'syslog no\n' >"$D/c.conf"
dc() { "$DCVMAIL" -c "$D/c.conf" -d "$S" "$@"; }
# raw NAME FILE: ok when FILE holds no control byte (but \t \n), C1 or bidi control
raw() {
	if python3 - "$2" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
bad = re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xe2\x80[\x8e\x8f]", b)
if bad:
    print("#   raw control %r at byte %d: %r" % (bad.group(0), bad.start(), b[max(0, bad.start() - 30):bad.start() + 10]))
sys.exit(1 if bad else 0)
PY
	then ok "$1"; else not_ok "$1"; fi
}
python3 - "$D" "$FIX/sectigo-dcv-plain.eml" <<'PY'
import base64, os, sys
D, fix = sys.argv[1], sys.argv[2]
src = open(fix, "rb").read().replace(b"\r\n", b"\n")
def subj(s):  # RFC 2047, so that C1 and bidi characters survive as UTF-8
    return "=?UTF-8?B?" + base64.b64encode(s.encode()).decode() + "?="
def mail(name, subject, mid, raw_subject=None):
    head, body = src.split(b"\n\n", 1)
    lines = [l for l in head.split(b"\n") if not l.startswith((b"Subject:", b"Message-ID:"))]
    lines.append(b"Subject: " + (raw_subject if raw_subject is not None else subj(subject).encode()))
    lines.append(b"Message-ID: <%s@fixtures.example>" % mid.encode())
    open(os.path.join(D, name), "wb").write(b"\n".join(lines) + b"\n\n" + body)
# the subject shown to people: ESC colour, CSI clear screen, a right-to-left override
mail("subject.eml", "ORDER #123456780 - Domain Control Validation for www.example.net \x1b[31mred\u009b2J \u202egnp.exe", "ctl1")
# the captured domain: ESC sequence, bidi override, C1 inside \S+
mail("dom-esc.eml", "ORDER #123456781 - Domain Control Validation for evil\x1b[2J.example.com", "ctl2")
mail("dom-bidi.eml", "ORDER #123456782 - Domain Control Validation for www.example.net\u202emoc.live", "ctl3")
mail("dom-junk.eml", "ORDER #123456783 - Domain Control Validation for <b>x</b>@example.com", "ctl4")
# a raw ESC byte in the header itself
mail("raw-esc.eml", None, "ctl5", raw_subject=b"ORDER #123456784 - Domain Control Validation for www.example.net \x1b]0;owned\x07")
# a file name with ESC in it
os.link(os.path.join(D, "subject.eml"), os.path.join(D, "name\x1b[2Jx.eml"))
PY

# check --dry-run
dc check --dry-run "$D"/*.eml >"$D/check.out" 2>&1
raw "check prints no raw control character" "$D/check.out"
out=$(cat "$D/check.out")
check_contains "CSI (U+009B) shows as \\u009b" "$out" '\u009b2J'
check_contains "a bidi override shows as \\u202e" "$out" '\u202egnp.exe'
check_contains "a file name with ESC is shown escaped" "$out" 'name\x1b[2Jx.eml'
# (the header parser already turns C0 controls into spaces: "evil" is what \S+ takes)
check_contains "a domain cut by ESC is not captured (reason)" "$out" "captured domain 'evil' dropped: not a fully qualified host name"
check_contains "a domain with a bidi override is not captured" "$out" "captured domain 'www.example.net\\u202emoc.live' dropped"
check_contains "a domain with markup is not captured" "$out" "captured domain '<b>x</b>@example.com' dropped: characters a host name does not have"
check_contains "a clean domain still is" "$out" "domain=www.example.net"
dc check --dry-run "$D/no-such-$(printf '\033')[2J.eml" >"$D/missing.out" 2>&1
raw "an unreadable file name with ESC is reported escaped" "$D/missing.out"
check_contains "and named" "$(cat "$D/missing.out")" 'no-such-\x1b[2J.eml'

# JSON: exact text, valid JSON
dc check --dry-run --json "$D/subject.eml" "$D/dom-esc.eml" >"$D/check.json" 2>/dev/null
check "check --json is valid JSON with the exact subject" python3 -c "
import json, sys
objs = [json.loads(l) for l in open('$D/check.json')]
assert ' [31mred\u009b2J \u202egnp.exe' in objs[0]['subject'], objs[0]['subject']
assert 'domain' not in objs[1]['fields'], objs[1]['fields']
"

# recorded: list, show, report; an envelope recipient (pipe -o) with ESC
mkdir -p "$S"; chmod 700 "$S"
dc check "$D/subject.eml" "$D/dom-esc.eml" "$D/dom-bidi.eml" >/dev/null 2>&1
dc pipe -r admin@example.net -o "$(printf 'admin\033]0;pwn\007@example.net')" <"$D/raw-esc.eml" >"$D/pipe.out" 2>&1
raw "pipe output and log have no raw control character" "$D/pipe.out"
dc list >"$D/list.out" 2>&1
raw "list prints no raw control character" "$D/list.out"
check_not_contains "list shows no junk domain" "$(cat "$D/list.out")" "evil"
n=$(sqlite3 "$S/ledger.db" "select count(*) from requests")
: >"$D/show.out"
i=1; while [ "$i" -le "$n" ]; do dc show "$i" >>"$D/show.out" 2>&1; i=$((i + 1)); done
raw "show prints no raw control character" "$D/show.out"
check_contains "show prints the subject escaped" "$(cat "$D/show.out")" '\u202egnp.exe'
check_contains "show prints the envelope recipient escaped" "$(cat "$D/show.out")" 'admin\x1b]0;pwn\x07@example.net'
dc report >"$D/report.out" 2>&1
raw "report prints no raw control character" "$D/report.out"
dc show --json 1 >"$D/show.json" 2>&1
check "show --json is valid JSON" python3 -c "import json; json.load(open('$D/show.json'))"
"$DCVMAIL" -c "$D/c.conf" rules test "$D/subject.eml" "$D/dom-esc.eml" >"$D/rules.out" 2>&1
raw "rules test prints no raw control character" "$D/rules.out"
check_not_contains "rules test shows no captured junk domain" "$(cat "$D/rules.out")" "captured domain = evil"

# order ids: a rule capturing \S+ as the order keeps only a bounded token
mkdir -p "$D/rules"
cat >"$D/rules/t.rules" <<'R'
ca testca "Test CA"
  from-domain  ca.example
  link-host    ca.example

rule testca-dcv
  type     dcv
  subject  /^Order (?<order>\S+) for (?<domain>\S+)/
R
for o in '12345' "$(printf '12\342\200\25634')" "$(python3 -c 'print("9" * 65)')" 'ab"c'; do
	printf 'From: CA <x@ca.example>\nSubject: Order %s for www.example.org\nMessage-ID: <%s@ca.example>\n\nbody\n' "$o" "$(printf %s "$o" | sha256sum | cut -c1-12)"
done >"$D/orders.mbox.tmp"
awk 'BEGIN{n=0} /^From: /{print "From x@y Tue Nov 24 09:00:00 2026"} {print}' "$D/orders.mbox.tmp" >"$D/orders.mbox"
DCVMAIL_RULES_DIR="$D/rules" "$DCVMAIL" -c "$D/c.conf" check --dry-run --json "$D/orders.mbox" >"$D/orders.json" 2>"$D/orders.err"
check "order ids: a token is kept, bidi override / 65 digits / quote are dropped with a reason" python3 -c "
import json
o = [json.loads(l) for l in open('$D/orders.json')]
assert o[0]['fields'].get('order') == '12345', o[0]
for x in o[1:]:
    assert 'order' not in x['fields'], x['fields']
    assert any(r.startswith('captured order') for r in x['reasons']), x['reasons']
    assert x['fields'].get('domain') == 'www.example.org', x['fields']
"
t_done
