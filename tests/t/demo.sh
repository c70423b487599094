# make demo's script: classify, record and list the shipped sample mail.
. "$TOP/tests/lib.sh"
# the samples are the corpus messages contrib/samples.list names (one copy)
cp -r "$TOP/contrib" "$TOP/rules" "$TEST_TMP/"
mkdir -p "$TEST_TMP/build" "$TEST_TMP/tests/corpus"; cp "$DCVMAIL" "$TEST_TMP/build/dcvmail"
cp -r "$TOP/tests/corpus/ca" "$TEST_TMP/tests/corpus/"
out=$(cd "$TEST_TMP" && sh contrib/demo build/dcvmail 2>&1); rc=$?
check_eq "the demo runs" "$rc" 0
check "the demo's ledger is ./demo-state" [ -f "$TEST_TMP/demo-state/ledger.db" ]
check_contains "it shows dry-run verdicts" "$out" "tests/corpus/ca/sectigo-dcv-plain.eml	dcv	sectigo/sectigo-dcv"
check_contains "it decodes Japanese subjects" "$out" "ドメイン名の利用権確認のお願い"
check_contains "it records the samples" "$out" "recorded 16 new"
# columns are sized to their content: compare with runs of spaces as one
sq=$(printf '%s\n' "$out" | tr -s ' ')
check_contains "DigiCert's three copies are one request" "$sq" "shop.example.com 48213377 3"
check_contains "the lookalike is listed as suspicious" "$out" "suspicious digicert"
check_contains "the report lists pending domains" "$sq" "www.example.jp digicert never"
check_contains "the order view: the EV order waits for its name, its intent and its documents" \
	"$(printf '%s\n' "$out" | grep '^sectigo:123456810 ' | tr -s ' ')" "0/1 asked asked"
check_contains "and its history has its three mails" "$(printf '%s\n' "$out" | grep -c 'request [0-9]*: .* mail from noreply_support@trust-provider.com')" 3

# a name in the list that the corpus lacks stops the demo with a clear error
echo "no-such-sample.eml" >>"$TEST_TMP/contrib/samples.list"
out=$(cd "$TEST_TMP" && sh contrib/demo build/dcvmail 2>&1); rc=$?
check "a missing sample fails the demo" [ "$rc" -ne 0 ]
check_contains "it names the missing sample" "$out" "no-such-sample.eml, which is not in tests/corpus/ca/"
t_done
