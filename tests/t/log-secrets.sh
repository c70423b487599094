# Every message of the test corpus (CA mail and phishing), delivered by
# `dcvmail pipe -q`: exactly one log line for it, starting with the queue id,
# and no line holds a link or the validation code of the mail (issue 16.2).
. "$TOP/tests/lib.sh"
S="$TEST_TMP/state"
printf 'syslog no\ntrust-authserv-id mx.example.test\nrole constructed admin@\n' >"$TEST_TMP/c.conf"
n=0; bad_count=; leaks=; codes=0
for f in "$TOP"/tests/corpus/ca/*.eml "$TOP"/tests/corpus/phish/*.eml; do
	n=$((n + 1))
	log=$("$DCVMAIL" -c "$TEST_TMP/c.conf" -d "$S" pipe -q "Q$n" -r admin@example.com <"$f" 2>&1 >/dev/null)
	# (counted and read in the shell: two processes less per message)
	lines=0
	while IFS= read -r l; do case $l in "dcvmail pipe: Q$n: request="*) lines=$((lines + 1)) ;; esac; done <<<"$log"
	[ "$lines" = 1 ] || bad_count="$bad_count ${f##*/}"
	case $log in *://*) leaks="$leaks ${f##*/}(link)" ;; esac
	e="${f%.eml}.expect"
	code=
	if [ -f "$e" ]; then
		while IFS= read -r l || [ -n "$l" ]; do
			case $l in "code: "*) code="${code:+$code$'\n'}${l#code: }" ;; esac
		done <"$e"
	fi
	if [ -n "$code" ] && [ "$code" != - ]; then
		codes=$((codes + 1))
		case $log in *"$code"*) leaks="$leaks ${f##*/}(code)" ;; esac
	fi
done
check "the corpus has messages ($n) and codes ($codes)" [ "$n" -gt 100 ] && [ "$codes" -gt 5 ]
check_eq "each message has exactly one log line, starting with its queue id" "${bad_count:-none}" none
check_eq "no log line holds a link or a code" "${leaks:-none}" none
t_done
