# HTML parts are rendered by a streaming parser: a message just under
# `limit message-size` made of millions of tags stays under 100 MB of peak
# memory (it took 250-700 MB while a tree was built), nesting deeper than 1000
# elements or more than 100,000 syntax errors stop the rendering and make the
# message malformed, and ordinary HTML renders as before (mime-golden).
. "$TOP/tests/lib.sh"
MSGDUMP="$TOP/${BUILD:-build}/tests/msgdump"
D="$TEST_TMP"
python3 - "$D" <<'PY'
import sys, os
D = sys.argv[1]
H = ("From: CA <html@ca.example>\nSubject: html limit\nMessage-ID: <%s@ca.example>\n"
     "Content-Type: text/html; charset=utf-8\n\n")
N = 9_800_000  # the default message-size is 10,485,760 bytes
def w(name, head, unit, tail=""):
    body = "<html><body>" + head + unit * ((N - len(head) - len(tail)) // len(unit)) + tail
    open(os.path.join(D, name + ".eml"), "w").write(H % name + body + "\n")
w("nested-div", "before the nesting ", "<div>", "hidden deep text")
w("nested-b", "", "<b>")
w("nested-attrs", "", '<span class="c" id="i" title="t">')
w("flat-links", "", '<p>step <a href="https://flat.example/approve">approve</a> now\n')
w("stray-end", "", "</x>", "")
w("stray-deep", "<q>" * 990, "</x>", "")
PY
MAXKB=100000
if [ "${SANITIZE:-0}" = 1 ]; then MAXKB=400000; fi  # ASan's shadow memory and redzones
peak() { /usr/bin/time -f %M -o "$D/$1.kb" "$DCVMAIL" check --dry-run "$D/$1.eml" >"$D/$1.out" 2>&1; cat "$D/$1.kb"; }

for m in nested-div nested-b nested-attrs flat-links stray-end stray-deep; do
	kb=$(peak $m)
	check "$m: 9.8 MB HTML message peaks at ${kb} KB (< $MAXKB KB)" [ "$kb" -lt "$MAXKB" ]
done

out=$(cat "$D/nested-div.out")
check_contains "3 million nested divs are malformed" "$out" "malformed: HTML nesting deeper than 1000 elements"
out=$("$MSGDUMP" "$D/nested-div.eml")
check_contains "text before the nesting limit is rendered" "$out" "html_text: before the nesting"
check_not_contains "text past the nesting limit is not" "$out" "hidden deep text"
check_contains "nested-b is malformed" "$(cat "$D/nested-b.out")" "HTML nesting deeper than 1000 elements"

out=$("$MSGDUMP" "$D/flat-links.eml")
check_contains "200,000 flat paragraphs are fine" "$out" "status: ok"
check_contains "their link is found with its anchor text" "$out" "link: https://flat.example/approve"
check_contains "anchor text kept" "$out" "  text: approve"
check_contains "their text is rendered" "$out" "html_text: step approve now
  | step approve now"

check_contains "2 million stray end tags are malformed" "$(cat "$D/stray-end.out")" \
	"malformed: more than 100000 HTML syntax errors"
check_contains "stray end tags under 990 open elements too" "$(cat "$D/stray-deep.out")" \
	"malformed: more than 100000 HTML syntax errors"

# 999 levels are still rendered: the limit is not hit by merely deep mail
python3 -c "
print('From: CA <html@ca.example>\nSubject: deep ok\nContent-Type: text/html\n')
print('<html><body>' + '<div>' * 997 + 'deepest text <a href=\"https://deep.example/x\">go</a>' + '</div>' * 997)
" >"$D/deep999.eml"
out=$("$MSGDUMP" "$D/deep999.eml")
check_contains "999 levels of nesting are not malformed" "$out" "status: ok"
check_contains "the deepest text is rendered" "$out" "html_text: deepest text go"
check_contains "the deepest link is found" "$out" "link: https://deep.example/x"
t_done
