# Parser limits: size, MIME depth, parts, header count, header line length,
# text size and links. Each limit gives the documented status and reason,
# keeps what was parsed, and `dcvmail check --dry-run` reports it, exits 0
# and does not crash. The big inputs are generated here, not committed.
. "$TOP/tests/lib.sh"
MSGDUMP="$TOP/${BUILD:-build}/tests/msgdump"
D="$TEST_TMP"
python3 - "$D" <<'PY'
import sys, os
D = sys.argv[1]
def w(n, d): open(os.path.join(D, n), 'w').write(d)
H = "From: CA <limits@ca.example>\nSubject: limit test\nMessage-ID: <lim@ca.example>\n"
w('big.eml', H + "Content-Type: text/plain\n\n" + ("x" * 99 + "\n") * (12 * 1024 * 1024 // 100))
s = "leaf text https://deep.example/leaf\n"
for i in range(100, 0, -1):
    s = 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n%s\n--b%d--\n' % (i, i, s, i)
w('deep.eml', H + s)
w('deep-rfc822.eml', H + "Content-Type: message/rfc822\n\n" * 200000 + "From: x@y\n\nleaf\n")
s = "depth ten text\n"
for i in range(10, 0, -1):
    s = 'Content-Type: multipart/mixed; boundary="c%d"\n\n--c%d\n%s\n--c%d--\n' % (i, i, s, i)
w('deep10.eml', H + s)
w('longline.eml', H + "X-Long: " + "a" * (1024 * 1024 + 10) + "\nContent-Type: text/plain\n\nbody after the long header\n")
w('parts.eml', H + "Content-Type: multipart/mixed; boundary=p\n\n" +
  "".join("--p\nContent-Type: text/plain\n\npart %d\n" % i for i in range(2000)) + "--p--\n")
w('headers.eml', H + "".join("X-H%d: v\n" % i for i in range(2000)) + "\nbody after many headers\n")
w('text.eml', H + "\n" + "0123456789" * 100 + "\n")
w('links.eml', H + "\n" + "".join("https://l%d.example/x\n" % i for i in range(1000)))
PY
dump() { "$MSGDUMP" "$@" 2>&1; }

out=$(dump "$D/big.eml")
check_contains "12 MB message is oversized" "$out" "status: oversized"
check_contains "oversized reason names the limit" "$out" "reason: message of 12583004 bytes is over the 10485760-byte limit"
check_contains "oversized message keeps its headers" "$out" "subject: limit test"
check_contains "oversized message body is not parsed" "$out" "text: 
html_text:"

out=$(dump "$D/deep.eml")
check_contains "100-deep nesting is malformed" "$out" "reason: MIME nesting deeper than 32"
check_contains "depth stops at the limit" "$out" "depth: 32"
out=$(dump "$D/deep-rfc822.eml"); rc=$?
check_eq "200,000 nested message/rfc822 do not crash" "$rc" 0
check_contains "nested message/rfc822 hit the depth limit" "$out" "reason: MIME nesting deeper than 32"
out=$(dump -l depth=5 "$D/deep10.eml")
check_contains "mime-depth 5 stops a 10-deep message" "$out" "reason: MIME nesting deeper than 5"
check_not_contains "text below the depth limit is not read" "$out" "depth ten text"
out=$(dump "$D/deep10.eml")
check_contains "10-deep message is fine under the default" "$out" "depth ten text"

out=$(dump "$D/longline.eml")
check_contains "1 MB header line is malformed" "$out" "reason: header line longer than 1021952 bytes"
check_contains "body after a long header is still read" "$out" "text: body after the long header"

out=$(dump "$D/parts.eml")
check_contains "2,000 parts is malformed" "$out" "reason: more than 1000 MIME parts"
check_contains "parts before the limit are read" "$out" "part 998"
check_not_contains "parts after the limit are not" "$out" "part 1500"

out=$(dump "$D/headers.eml")
check_contains "2,000 header fields is malformed" "$out" "reason: more than 1000 header fields"
check_contains "body after too many headers is read" "$out" "body after many headers"
check_contains "header fields are kept up to the limit" "$out" "headers: 1000"

out=$(dump -l text=100 "$D/text.eml")
check_contains "text-size cuts the text, not the status" "$out" "status: ok"
check_contains "text is cut at 100 bytes" "$out" "text: $(printf '0123456789%.0s' 1 2 3 4 5 6 7 8 9 10)
html_text"
out=$(dump -l text=50 "$D/text.eml")
check_not_contains "text-size 50 keeps 50 bytes" "$out" "01234567890123456789012345678901234567890123456789012"
out=$(dump "$D/links.eml")
check_eq "links are capped at 500" "$(printf '%s\n' "$out" | grep -c '^link: ')" 500
out=$(dump -l links=3 "$D/links.eml")
check_eq "limit links 3 keeps 3" "$(printf '%s\n' "$out" | grep -c '^link: ')" 3

# The same through `dcvmail check --dry-run`: reported, exit 0.
for f in big deep deep-rfc822 longline parts headers; do
	out=$("$DCVMAIL" check --dry-run "$D/$f.eml" 2>&1); rc=$?
	check_eq "check --dry-run $f.eml exits 0" "$rc" 0
	case $f in big) want=oversized ;; *) want=malformed ;; esac
	check_contains "check --dry-run reports $f.eml $want" "$out" "	$want	"
done
out=$("$DCVMAIL" check --dry-run --json "$D/big.eml" 2>/dev/null)
check_contains "JSON status oversized" "$out" '"status":"oversized"'
printf 'state-dir %s\nlimit mime-depth 5\nlimit message-size 1k\n' "$D/state" >"$D/lim.conf"
out=$("$DCVMAIL" -c "$D/lim.conf" check --dry-run "$D/deep10.eml" "$D/text.eml" 2>&1); rc=$?
check_eq "check with limits from the config exits 0" "$rc" 0
check_contains "limit mime-depth from the config applies" "$out" "MIME nesting deeper than 5"
check_contains "limit message-size from the config applies" "$out" "over the 1024-byte limit"
t_done
