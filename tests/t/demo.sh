# make demo's script: classify, record and list the shipped sample mail.
. "$TOP/tests/lib.sh"
cp -r "$TOP/contrib" "$TOP/rules" "$TEST_TMP/"
mkdir -p "$TEST_TMP/build"; cp "$DCVMAIL" "$TEST_TMP/build/dcvmail"
out=$(sh "$TEST_TMP/contrib/demo" "$TEST_TMP/build/dcvmail" 2>&1); rc=$?
check_eq "the demo runs" "$rc" 0
check_contains "it shows dry-run verdicts" "$out" "contrib/samples/sectigo-dcv-plain.eml	dcv	sectigo/sectigo-dcv"
check_contains "it decodes Japanese subjects" "$out" "ドメイン名の利用権確認のお願い"
check_contains "it records the samples" "$out" "recorded 13 new"
check_contains "DigiCert's three copies are one request" "$out" "shop.example.com             48213377              3"
check_contains "the lookalike is listed as suspicious" "$out" "suspicious digicert"
check_contains "the report lists pending domains" "$out" "www.example.jp               digicert    never"
t_done
