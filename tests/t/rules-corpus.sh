# Every CA fixture gets the verdict, fields and links its .expect file names.
. "$TOP/tests/lib.sh"
out=$("$DCVMAIL" check --dry-run --json "$TOP/tests/corpus/ca" 2>"$TEST_TMP/err")
check_eq "check --dry-run exits 0 on the CA corpus" "$?" 0
printf '%s\n' "$out" | python3 "$TOP/tests/corpus/expect.py" "$TOP/tests/corpus/ca"
n_eml=$(ls "$TOP"/tests/corpus/ca/*.eml | wc -l)
n_exp=$(ls "$TOP"/tests/corpus/ca/*.expect | wc -l)
check_eq "every CA fixture has an .expect file" "$n_exp" "$n_eml"
# No phishing fixture may come out as a plain dcv with an approve link. A
# fake forward is a forwarded copy at most: never approved (forwarded.sh).
bad=$(printf '%s\n' "$out" | python3 -c '
import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if "/phish-" in o["file"] and o["type"] == "dcv" and not o["forwarded_by"]: print(o["file"])')
check_eq "no phishing fixture is classified dcv (unless as a forwarded copy)" "$bad" ""
n_fwd=$(printf '%s\n' "$out" | python3 -c '
import json,sys
print(sum(1 for l in sys.stdin if "/fwd-" in json.loads(l)["file"] and json.loads(l)["forwarded_by"]))')
check_eq "every forwarded fixture is a forwarded copy" "$n_fwd" "$(ls "$TOP"/tests/corpus/ca/fwd-*.eml | wc -l)"
# A reject link is never taken as the approve link.
bad=$(printf '%s\n' "$out" | python3 -c '
import json,sys
for l in sys.stdin:
    o=json.loads(l); a=o["links"]["approve"] or ""
    if "reject" in a.lower(): print(o["file"], a)')
check_eq "no approve link is a reject link" "$bad" ""
summary=$(tail -1 "$TEST_TMP/err")
check_contains "summary line counts the messages" "$summary" "$n_eml messages"
t_done
