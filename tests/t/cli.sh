# CLI basics: help, version, usage errors, exit codes.
. "$TOP/tests/lib.sh"
out=$("$DCVMAIL" --help); check "--help exits 0" [ $? -eq 0 ]
check_contains "--help lists check" "$out" "check [--dry-run]"
out=$("$DCVMAIL" --version); check_contains "--version prints a version" "$out" "dcvmail 0."
"$DCVMAIL" frobnicate 2>/dev/null; check_eq "unknown command exits 64 (EX_USAGE)" "$?" 64
"$DCVMAIL" 2>/dev/null; check_eq "no command exits 64" "$?" 64
out=$("$DCVMAIL" check --dry-run /nonexistent/file.eml 2>&1); rc=$?
check_eq "missing input exits 66 (EX_NOINPUT)" "$rc" 66
check_contains "missing input names the file" "$out" "/nonexistent/file.eml"
out=$(DCVMAIL_CONFIG=/nonexistent.conf "$DCVMAIL" check --dry-run - </dev/null 2>&1); rc=$?
check_eq "missing explicit config exits 78 (EX_CONFIG)" "$rc" 78
check_contains "missing config names the file" "$out" "/nonexistent.conf"
printf 'state-dir /tmp\nbogus-keyword 1\n' >"$TEST_TMP/bad.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/bad.conf" check --dry-run - </dev/null 2>&1); rc=$?
check_eq "bad config exits 78" "$rc" 78
check_contains "bad config error has file:line" "$out" "$TEST_TMP/bad.conf:2: unknown keyword 'bogus-keyword'"
# the README's complete example configuration is valid
python3 - "$TOP/README.md" "$TEST_TMP/readme.conf" "$TOP/rules" "$TEST_TMP" <<'PY'
import sys
s = open(sys.argv[1]).read(); i = s.index("state-dir /var/lib/dcvmail\nrole constructed"); j = s.index("```", i)
conf = s[i:j].replace("/etc/dcvmail/rules", sys.argv[3]).replace("/var/lib/dcvmail", sys.argv[4] + "/st")
conf = conf.replace("/etc/dcvmail/", sys.argv[4] + "/")
open(sys.argv[2], "w").write(conf)
PY
# its secret files, as the README says: there and 0600
for f in $(awk '$1 == "password-file" || $1 == "notify-secret-file" { print $2 }' "$TEST_TMP/readme.conf"); do
	printf 'secret\n' >"$f"; chmod 600 "$f"
done
out=$("$DCVMAIL" -c "$TEST_TMP/readme.conf" -n 2>&1); rc=$?
check_eq "the README's example configuration passes dcvmail -n" "$rc" 0
check_contains "dcvmail -n reports the rules" "$out" "rules for"
check_not_contains "dcvmail -n alone lists no keywords" "$out" "dcvmail.conf keywords"
out=$("$DCVMAIL" -c "$TEST_TMP/readme.conf" -n -v 2>&1); rc=$?
check_eq "dcvmail -n -v exits 0" "$rc" 0
check_contains "dcvmail -n -v prints the effective configuration" "$out" "# effective configuration, from $TEST_TMP/readme.conf"
check_contains "a value set in the file" "$out" "auto-approve digicert sectigo"
check_contains "a default, marked so" "$out" "pending-alert 48  # default"
check_contains "a block with its line" "$out" "smtp {  # line"
check_not_contains "-n -v alone lists no keywords" "$out" "dcvmail.conf keywords"
check_contains "and still checks" "$out" "rules for"
out=$("$DCVMAIL" -c "$TEST_TMP/readme.conf" -n -v -v 2>&1); rc=$?
check_eq "dcvmail -n -v -v exits 0" "$rc" 0
check_contains "dcvmail -n -v -v lists the keywords" "$out" "dcvmail.conf keywords (block, keyword, arguments):"
check_contains "a top keyword with its bounds" "$out" "top      pending-alert            NUMBER (1 to 8760)"
check_contains "a block's keyword" "$out" "smtp     require-tls              yes|no"
check_contains "the route actions from the action table" "$out" "route    approve                  (no arguments)"
# the effective configuration reads back as the same configuration
"$DCVMAIL" -c "$TEST_TMP/readme.conf" -n -v 2>/dev/null | sed -n '/^# effective configuration/,$p' >"$TEST_TMP/eff.conf"
out=$("$DCVMAIL" -c "$TEST_TMP/eff.conf" -n -v 2>&1); rc=$?
check_eq "the printed configuration passes dcvmail -n itself" "$rc" 0
again=$("$DCVMAIL" -c "$TEST_TMP/eff.conf" -n -v 2>/dev/null | sed -n '/^# effective/,$p' | sed '1d; s/  # not from the file$//; s/  # line [0-9]*$//')
check_eq "and prints the same again (but for the line numbers)" "$again" \
	"$(sed '1d; s/  # not from the file$//; s/  # line [0-9]*$//' "$TEST_TMP/eff.conf")"
check_contains "--help says so" "$("$DCVMAIL" --help)" "with -v: print the effective"
# every command answers --help with its usage on stdout and exit 0 (the
# names from dcvmail --help, so a new command is covered as it is added)
cmds=$("$DCVMAIL" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
check_contains "the command list is read from --help" "$cmds" "list"
for c in $cmds; do
	out=$("$DCVMAIL" "$c" --help 2>"$TEST_TMP/help.err"); rc=$?
	check_eq "dcvmail $c --help exits 0" "$rc" 0
	check_contains "dcvmail $c --help prints its usage on stdout" "$out" "usage: dcvmail $c"
	check_eq "dcvmail $c --help prints nothing on stderr" "$(cat "$TEST_TMP/help.err")" ""
done
check_contains "dcvmail list --help names its man page" "$("$DCVMAIL" list --help)" "See dcvmail-list(8)."
# errors say which command failed: "dcvmail COMMAND: ..."
out=$("$DCVMAIL" list --bogus 2>&1); rc=$?
check_eq "an unknown option exits 64" "$rc" 64
check_contains "getopt's complaint names the command" "$out" "dcvmail list: unrecognized option '--bogus'"
out=$("$DCVMAIL" -d "$TEST_TMP/none" list 2>&1)
check_contains "a ledger error names the command" "$out" "dcvmail list: $TEST_TMP/none: no ledger here"
out=$("$DCVMAIL" -c "$TEST_TMP/bad.conf" report 2>&1)
check_contains "a config failure names the command" "$out" "dcvmail report: $TEST_TMP/bad.conf: 1 error in configuration"
out=$("$DCVMAIL" show 2>&1)
check_contains "a usage error says the usage" "$out" "usage: dcvmail show"
t_done
