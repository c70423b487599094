# What `check --dry-run --json` says of every corpus message is pinned byte
# for byte (tests/check-dry-run.golden; UPDATE_GOLDEN=1 rewrites it:
# review the diff before committing), so that a speed-up of the batch path
# cannot change a verdict, a field, a link or a reason. A message is judged
# the same whatever the batch met before it (the batch's memos: link hosts,
# seen links, JIT-compiled patterns), and large HTML newsletters keep their
# links, their CA words (one hidden behind an entity) and their forwarded
# blocks: the phishing negatives among them stay caught.
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 1
golden=tests/check-dry-run.golden

"$DCVMAIL" check --dry-run --json tests/corpus >"$TEST_TMP/out" 2>"$TEST_TMP/err"
check_eq "check --dry-run --json exits 0 on the corpus" "$?" 0
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$TEST_TMP/out" "$golden"
	ok "golden file written ($(wc -l <"$golden") messages)"
elif diff -u "$golden" "$TEST_TMP/out" >"$TEST_TMP/diff"; then
	ok "the corpus is judged as $golden says ($(wc -l <"$golden") messages)"
else
	not_ok "the corpus is judged differently from $golden"
	head -40 "$TEST_TMP/diff" | cut -c1-300 | sed 's/^/#   /'
fi

# The same files in reverse order, each twice, in one process: every answer
# is the one of the forward run.
find tests/corpus -name '*.eml' | sort -r >"$TEST_TMP/files"
# shellcheck disable=SC2046
"$DCVMAIL" check --dry-run --json $(cat "$TEST_TMP/files") $(cat "$TEST_TMP/files") >"$TEST_TMP/rev" 2>/dev/null
bad=$(python3 - "$TEST_TMP/out" "$TEST_TMP/rev" <<'PY'
import json, sys
fwd = {}
for l in open(sys.argv[1]):
    fwd[json.loads(l)["file"]] = l
n = bad = 0
for l in open(sys.argv[2]):
    n += 1
    f = json.loads(l)["file"]
    if fwd.get(f) != l:
        bad += 1
        print("differs in reverse or repeated order:", f)
if n < 2 * 250:
    print("only %d answers" % n)
PY
)
check_eq "reverse order and a second pass give every message the same answer" "$bad" ""

# Large HTML newsletters (3,000 anchors to 50 URLs, ~200 kB) from a sender
# that is no CA.
python3 - "$TEST_TMP/nl" <<'PY'
import os, sys
d = sys.argv[1]
os.mkdir(d)
def nl(name, frm, at, extra):
    items = []
    for i in range(3000):
        items.append(b'<div><p>item %d <a href="https://news.example.org/a/%d">read</a></p></div>\n' % (i, i % 50))
        if i == at:
            items.append(extra)
    open(os.path.join(d, name + ".eml"), "wb").write(
        b"From: " + frm + b"\nSubject: Weekly news\nMessage-ID: <" + name.encode() + b"@news.example.org>\n"
        + b"Content-Type: text/html; charset=utf-8\n\n<html><head><style>p{x:y}</style></head><body>"
        + b"".join(items) + b"</body></html>\n")
nl("nl-1-plain", b"News <news@example.org>", -1, b"")
nl("nl-2-lookalike", b"News <news@example.org>", 1700,
   b'<p>Your SSL certi&#102;icate needs approval: <a href="https://digicert-validation.example.net/approve?t=1">approve</a></p>\n')
nl("nl-3-text-link", b"News <news@example.org>", 2900,
   b'<p>Domain control validation: https://secure-sectigo.example.com/dcv?code=9 now</p>\n')
nl("nl-4-fwd", b"Taro <taro@example.jp>", 2990,
   b'<div>---------- Forwarded message ---------<br>From: DigiCert &lt;admin@digicert.com&gt;<br>'
   b'Date: Tue, 24 Nov 2026 09:00:00 +0000<br>Subject: Domain Control Validation for www.example.net<br><br>'
   b'Approve: <a href="https://www.digicert.com/link/approve?t=abc">https://www.digicert.com/link/approve?t=abc</a></div>\n')
PY
"$DCVMAIL" check --dry-run --json "$TEST_TMP/nl" >"$TEST_TMP/nl.out" 2>/dev/null
got=$(python3 -c '
import json, os, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    print(os.path.basename(o["file"]), o["type"], o["ca"], o["forwarded_by"] or "-", len(o["links"]["all"]),
          "|".join(r.split(":")[0] for r in o["reasons"]))' "$TEST_TMP/nl.out")
check_contains "a plain newsletter: unknown, its 50 links" "$got" "nl-1-plain.eml unknown None - 50 "
check_contains "a lookalike link among 3,000 anchors, the CA word behind an entity: suspicious" "$got" \
	"nl-2-lookalike.eml suspicious None - 51 link host 'digicert-validation.example.net' imitates DigiCert"
check_contains "a lookalike URL in the newsletter's text: suspicious" "$got" \
	"nl-3-text-link.eml suspicious None - 51 link host 'secure-sectigo.example.com' imitates Sectigo"
check_contains "a forwarded CA block at the end of a newsletter: a forwarded copy of DigiCert's" "$got" \
	"nl-4-fwd.eml dcv digicert taro@example.jp 51 "
t_done
