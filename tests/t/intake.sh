# File intake: mbox (split, ">From " unescaped, flat memory), Maildir (cur/
# then new/, sorted, tmp/ and dotfiles ignored), directories (recursive,
# sorted), stdin, no progress noise when not on a terminal, and errors that
# name the unreadable file while the others are still read.
. "$TOP/tests/lib.sh"
B="$TOP/${BUILD:-build}"
C="$TOP/tests/corpus/mime"
D="$TEST_TMP"

out=$("$B/tests/intakedump" "$C/mbox-3.mbox")
check_contains "mbox: 3 messages" "$out" "rc=0 messages=3"
check_contains "mbox: labels are PATH:N" "$out" "== $C/mbox-3.mbox:3 ("
check_contains "mbox: >From is unescaped" "$out" "
From the escaped line"
check_contains "mbox: >>From loses one level" "$out" "
>From doubly escaped"
check_not_contains "mbox: the From_ line is not part of the message" "$out" "From ca@example.com"
out=$("$DCVMAIL" check --dry-run "$C/mbox-3.mbox" 2>&1); rc=$?
check_eq "check mbox exits 0" "$rc" 0
check_contains "check mbox shows message 2" "$out" "$C/mbox-3.mbox:2	"
check_contains "check mbox decodes the subject of message 3" "$out" "三番目"
check_contains "check mbox summary counts 3" "$out" "3 messages"

out=$("$B/tests/intakedump" -q "$C/maildir")
want="== $C/maildir/cur/1700000001.M1P1.host:2,S (50 bytes)
== $C/maildir/cur/1700000002.M2P2.host:2,S (51 bytes)
== $C/maildir/new/1700000003.M3P3.host (51 bytes)
rc=0 messages=3"
check_eq "Maildir: cur/ then new/, sorted; tmp/ and dotfiles ignored" "$(printf '%s\n' "$out" | sed 's/ maxrss_kb=.*//')" "$want"

mkdir -p "$D/dir/b" "$D/dir/a/.hidden" "$D/dir/c"
cp "$C/plain.eml" "$D/dir/b/2.eml"
cp "$C/latin1.eml" "$D/dir/b/1"
cp "$C/crlf.eml" "$D/dir/a/x.eml"
cp "$C/plain.eml" "$D/dir/a/.hidden/no.eml"
cp "$C/plain.eml" "$D/dir/.dot.eml"
cp "$C/plain.dump" "$D/dir/c/plain.dump"
cp "$C/mbox-3.mbox" "$D/dir/c/box"
mkfifo "$D/dir/fifo"
out=$("$B/tests/intakedump" -q "$D/dir/" | sed 's/ (.*//; s/ maxrss_kb=.*//')
want="== $D/dir/a/x.eml
== $D/dir/b/1
== $D/dir/b/2.eml
== $D/dir/c/box:1
== $D/dir/c/box:2
== $D/dir/c/box:3
rc=0 messages=6"
check_eq "directory: recursive, sorted, dotfiles/notes/fifos skipped, mbox inside split" "$out" "$want"

out=$("$DCVMAIL" check --dry-run - <"$C/iso2022jp.eml" 2>&1); rc=$?
check_eq "stdin exits 0" "$rc" 0
check_contains "stdin is labelled -" "$out" "-	"
check_contains "stdin message decoded" "$out" "ドメイン認証のお願い（example.jp）"
out=$("$DCVMAIL" check --dry-run - <"$C/mbox-3.mbox" 2>&1)
check_contains "stdin mbox is split" "$out" "-:3	"

# 600 messages: no progress line when stderr is not a terminal
python3 -c "
import sys
f=open(sys.argv[1],'w')
for i in range(600): f.write('From x@y Tue Nov 24 10:00:00 2026\nFrom: n%d@bulk.example\nSubject: bulk %d\n\nbody\n\n' % (i,i))
" "$D/bulk.mbox"
"$DCVMAIL" check --dry-run "$D/bulk.mbox" >"$D/bulk.out" 2>"$D/bulk.err"; rc=$?
check_eq "600-message mbox exits 0" "$rc" 0
check_eq "600 lines on stdout" "$(grep -c 'bulk\.mbox:' "$D/bulk.out")" 600
check_eq "no progress on a non-terminal stderr" "$(wc -c <"$D/bulk.err" | tr -d ' ')" 0

# flat memory: a 60 MB mbox of 2,000 messages is read with a small footprint
python3 -c "
import sys
f=open(sys.argv[1],'w'); body=('y'*70+'\n')*420
for i in range(2000): f.write('From x@y Tue Nov 24 10:00:00 2026\nSubject: m%d\n\n%s\n' % (i, body))
" "$D/large.mbox"
out=$("$B/tests/intakedump" -q "$D/large.mbox" | tail -n 1)
rss=${out##*maxrss_kb=}
check_contains "large mbox: 2000 messages" "$out" "messages=2000"
if [ -z "$SANITIZE" ] || [ "$SANITIZE" = 0 ]; then
	check "large mbox read in under 20 MB of memory (${rss} kB)" [ "$rss" -lt 20480 ]
fi

# a message over the intake cap is passed truncated; the next ones are intact
python3 -c "
import sys
f=open(sys.argv[1],'w')
f.write('From x@y Tue Nov 24 10:00:00 2026\nSubject: small\n\na\n\n')
f.write('From x@y Tue Nov 24 10:00:00 2026\nSubject: huge\n\n' + ('z'*99+'\n')*2000 + '\n')
f.write('From x@y Tue Nov 24 10:00:00 2026\nSubject: after\n\nc\n')
" "$D/cap.mbox"
out=$("$B/tests/intakedump" -q -m 10000 "$D/cap.mbox")
check_contains "over-cap message is cut at the cap" "$out" "cap.mbox:2 (10000 bytes)"
check_contains "message after it is intact" "$out" "cap.mbox:3 (18 bytes)"
printf 'state-dir %s\nlimit message-size 2k\n' "$D/state" >"$D/small.conf"
out=$("$DCVMAIL" -c "$D/small.conf" check --dry-run "$D/cap.mbox" 2>&1)
check_contains "the cut message is reported oversized" "$out" "cap.mbox:2	oversized"
check_contains "the others are fine" "$out" "cap.mbox:3	unknown"

# errors name the file; the rest of the directory is still read
mkdir -p "$D/err"
cp "$C/plain.eml" "$D/err/a.eml"
cp "$C/latin1.eml" "$D/err/c.eml"
ln -s "$D/err/missing.eml" "$D/err/b.eml"
"$DCVMAIL" check --dry-run "$D/err" >"$D/err.out" 2>"$D/err.err"; rc=$?
check_eq "an unreadable file makes check exit 66" "$rc" 66
check_contains "the error names the file and cause" "$(cat "$D/err.err")" "dcvmail check: $D/err/b.eml: No such file or directory"
check_contains "files before it are read" "$(cat "$D/err.out")" "$D/err/a.eml	"
check_contains "files after it are read" "$(cat "$D/err.out")" "$D/err/c.eml	"
check_contains "the summary counts the error" "$(cat "$D/err.out")" "2 messages"
if [ "$(id -u)" != 0 ]; then
	cp "$C/plain.eml" "$D/err/d.eml"; chmod 000 "$D/err/d.eml"
	out=$("$DCVMAIL" check --dry-run "$D/err" 2>&1)
	check_contains "permission denied names the file" "$out" "$D/err/d.eml: Permission denied"
fi
out=$("$DCVMAIL" check --dry-run "$D/nonexistent" 2>&1); rc=$?
check_eq "a missing path exits 66" "$rc" 66
check_contains "a missing path is named" "$out" "dcvmail check: $D/nonexistent: No such file or directory"
t_done
