# approve-urls: "never a reject link" for every URL dcvmail requests, the
# CA's page confirming the order, and the approval bounded by the pipe's
# deadline. The "CA site" (tests/https-server.py) answers on 127.0.0.1:443
# for the shipped rules' own link hosts: the test runs in private mount and
# network namespaces where a private /etc/hosts names them (nothing leaves
# the machine, nothing outside the namespaces sees it).
. "$TOP/tests/lib.sh"
if [ -z "${DCVMAIL_IN_NETNS:-}" ]; then
	unshare -mn true 2>/dev/null || { skip "no mount/network namespaces here (unshare -mn)"; exit 0; }
	DCVMAIL_IN_NETNS=1 exec unshare -mn bash "$0" "$@"
fi
ip link set lo up
HOSTS="secure.trust-provider.com secure.comodo.net www.digicert.com system.globalsign.com www.certum.pl
www.cybertrust.co.jp secure.ssl.com pages.ca.test"
echo "127.0.0.1 localhost $(echo $HOSTS)" >"$TEST_TMP/hosts"
mount --bind "$TEST_TMP/hosts" /etc/hosts
HTTPS_PIDS=
trap 'for p in $HTTPS_PIDS; do kill $p 2>/dev/null; done' EXIT

# a throwaway CA and one server certificate for every host above
T=$TEST_TMP
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=site test CA" -keyout "$T/site-ca.key" \
	-out "$T/site-ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=secure.trust-provider.com" -keyout "$T/site.key" -out "$T/site.csr" >/dev/null 2>&1
echo "subjectAltName=$(for h in $HOSTS; do printf 'DNS:%s,' "$h"; done | sed 's/,$//')" >"$T/site.ext"
openssl x509 -req -in "$T/site.csr" -CA "$T/site-ca.pem" -CAkey "$T/site-ca.key" -CAcreateserial -days 2 \
	-extfile "$T/site.ext" -out "$T/site.pem" >/dev/null 2>&1

# the shipped rules, plus a test CA whose page names the order
R="$T/rules"; mkdir -p "$R"; cp "$TOP"/rules/*.rules "$R/"
cat >"$R/zz-testca.rules" <<'RULES'
ca testca "Test CA"
  from-domain  ca.test
  dkim-domain  ca.test
  link-host    pages.ca.test

rule testca-dcv
  type     dcv
  subject  /^Approve the certificate for (?<domain>\S+) \(order (?<order>\d+)\)/
  body     /code: (?<code>[A-Z0-9]{12})/
  link     approve /\/approve\?/
  link     reject  /\/reject\?/
  approve-method      post
  approve-field       code {code}
  approve-page-shows  domain order
  approve-success     /approved/
RULES
export DCVMAIL_RULES_DIR="$R"
S="$T/state"; DB="$S/ledger.db"
conf() { # [DEADLINE] [APPROVE-TIMEOUT]
	cat >"$T/c.conf" <<CONF
syslog no
trust-authserv-id mx.example.test
check-trust-authserv-id yes
https-ca-file $T/site-ca.pem
approve-timeout ${2:-5}
pipe-action-deadline ${1:-20}
route {
  type dcv
  approve
}
auto-approve sectigo digicert globalsign certum cybertrust sslcom testca
CONF
}
conf
dcv() { "$DCVMAIL" -c "$T/c.conf" -d "$S" "$@"; }
q() { sqlite3 "$DB" "$1"; }
routes() { echo "$1" >"$T/ca.routes"; }
routes '{}'
https_start ca 443 site
[ -s "$T/ca.err" ] && cat "$T/ca.err"

# mail CA DOMAIN ORDER APPROVE-URL REJECT-URL [BODY-EXTRA]: an authenticated
# DCV mail in the CA's own words (as in tests/corpus/ca)
n=0
mail() {
	n=$((n + 1)); f="$T/m$n.eml"
	case $1 in
	sectigo) from=noreply_support@trust-provider.com; d=trust-provider.com
		subj="ORDER #$3 - Domain Control Validation for $2"
		body="browse to $4 and enter the following \"validation code\": A1b2C3d4E5f6G7h8I9j0K1l2" ;;
	digicert) from=no-reply@digitalcertvalidation.com; d=digitalcertvalidation.com
		subj="[Action Required] Approve Certificate Request for $2 {$3}"; body="Approve: $4" ;;
	globalsign) from=validation@globalsign.com; d=globalsign.com
		subj="Domain Control Validation Approval Request for $2"; body="Order Number: CE$3
Approve: $4" ;;
	certum) from=ssl@certum.pl; d=certum.pl
		subj="Domain administrator email verification - $2"; body="Verify: $4" ;;
	cybertrust) from=ssl@cybertrust.co.jp; d=cybertrust.co.jp
		subj="Domain Approval request"; body="Domain Name: $2
Approve: $4" ;;
	sslcom) from=noreply@ssl.com; d=ssl.com
		subj="Domain Control Validation for: $2"; body="Validate: $4" ;;
	testca) from=validation@ca.test; d=ca.test
		subj="Approve the certificate for $2 (order $3)"; body="Your code: ABCDEF123456
Approve: $4" ;;
	esac
	ctype=text/plain
	if [ -n "${MAIL_HTML:-}" ]; then # links as anchors (text keeps no full-width host)
		ctype=text/html
		body=$(printf '%s\n' "$body" | sed "s|$4|<a href=\"$4\">$4</a>|")
	fi
	cat >"$f" <<EOF
Authentication-Results: mx.example.test; dkim=pass header.d=$d
From: Validation <$from>
To: admin@$2
Subject: $subj
Message-ID: <m$n.$3@$d>
Date: $(date -u -R)
MIME-Version: 1.0
Content-Type: $ctype; charset=utf-8

Someone ordered a certificate for $2.
$body
${5:+If you did not order it, reject it: $5}
${6:-}
EOF
	echo "$f"
}
expect() { # CA DOMAIN ORDER: the order as the CA's mail gives it (none for some)
	case $1 in globalsign) o=CE$3 ;; certum | cybertrust | sslcom) o= ;; *) o=$3 ;; esac
	dcv expect add --ca "$1" --domain "$2" ${o:+--order "$o"} --until +7d >/dev/null
}
# the CA site's log, as "METHOD PATH" lines, PATH decoded the way a server does
requests() { python3 -c 'import json,sys,urllib.parse
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["method"], urllib.parse.unquote(r["path"]))' "$T/ca.log"; }
rejects_requested() { requests | grep -ciE 'reject' ; }
state() { q "select state || '|' || coalesce(state_note, '') from requests order by id desc limit 1"; }
pipe() { dcv pipe -r "admin@$1" <"$2" >/dev/null 2>&1; }
# the classifier's approve link; the policy's plan for the last request
approve_link() { dcv check --json "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["links"]["approve"])'; }
planned() { q "select group_concat(kind, ' ') from outbox where request_id = (select request_id from messages order by id desc limit 1)"; }

# --- 1. redirects to the reject page: nothing is ever sent there --------------
ST=https://secure.trust-provider.com/products
reject_pages="\"/products/RejectDCVCode\": {\"body\": \"order cancelled\"}, \"/products/rejectdcvcode\": {\"body\": \"order cancelled\"}"
ok_sectigo="\"POST /products/EnterDCVCode\": {\"body\": \"Your code was accepted successfully\"}, $reject_pages"
order=1000000
redirect_case() { # DESCRIPTION STATUS LOCATION [MORE ROUTES]
	order=$((order + 1)); dom="r$order.example.net"
	routes "{\"GET /products/EnterDCVCode\": {\"status\": $2, \"location\": \"$3\"}, $ok_sectigo${4:+, $4}}"
	: >"$T/ca.log"
	expect sectigo "$dom" "$order"
	pipe "$dom" "$(mail sectigo "$dom" "$order" "$ST/EnterDCVCode?orderNumber=$order" "$ST/RejectDCVCode?orderNumber=$order&dcvCode=A1b2C3d4E5f6G7h8I9j0K1l2")"
	check_eq "$1: zero requests to any reject path" "$(rejects_requested)" 0
	check_eq "$1: nothing POSTed anywhere" "$(requests | grep -c '^POST')" 0
	st=$(state)
	check_contains "$1: the request needs a person" "$st" "pending|needs a person: approve gave up:"
	check_contains "$1: saying the redirect was refused" "$st" "which is refused"
}
for code in 301 302 303 307 308; do
	redirect_case "HTTP $code to the reject page" $code "$ST/RejectDCVCode?orderNumber=ORDER"
done
check_contains "the reason names the CA's reject pattern" "$st" "matches a reject pattern of this CA"
redirect_case "a redirect to the reject page spelled RejectDCVCod%65" 302 "$ST/RejectDCVCod%65?orderNumber=1"
redirect_case "a redirect to the reject page spelled %52eject%44CVCode" 302 "$ST/%52eject%44CVCode?orderNumber=1"
redirect_case "a redirect to the reject page in lower case" 302 "$ST/rejectdcvcode?orderNumber=1"
redirect_case "a redirect to the reject page through dot-segments" 302 "$ST/x/%2e%2e/RejectDCVCode?orderNumber=1"
redirect_case "a redirect to the reject page on the CA's other host" 302 "https://SECURE.COMODO.NET:443/products/RejectDCVCode?orderNumber=1"
redirect_case "a relative redirect to the reject page" 302 "RejectDCVCode?orderNumber=1"
redirect_case "a redirect to the approve page with reject-looking parameters" 302 \
	"$ST/EnterDCVCode?orderNumber=1&next=/products/RejectDCVCode"
redirect_case "a chain of three hops ending on the reject page" 302 "$ST/hop1" \
	"\"/products/hop1\": {\"status\": 302, \"location\": \"$ST/hop2\"}, \"/products/hop2\": {\"status\": 307, \"location\": \"$ST/hop3\"}, \"/products/hop3\": {\"status\": 301, \"location\": \"$ST/RejectDCVCode?orderNumber=1\"}"
check_eq "the three hops were followed, then nothing" "$(requests | cut -d' ' -f2 | cut -d'?' -f1 | tr '\n' ' ')" \
	"/products/EnterDCVCode /products/hop1 /products/hop2 /products/hop3 "
# the form's answer redirects to the reject page: the POST went to the approve page only
order=$((order + 1)); dom="r$order.example.net"
routes "{\"GET /products/EnterDCVCode\": {\"body\": \"<form>\"}, \"POST /products/EnterDCVCode\": {\"status\": 303, \"location\": \"$ST/RejectDCVCode?orderNumber=$order\"}, $reject_pages}"
: >"$T/ca.log"; expect sectigo "$dom" "$order"
pipe "$dom" "$(mail sectigo "$dom" "$order" "$ST/EnterDCVCode?orderNumber=$order")"
check_eq "the form's answer redirects to the reject page: it is not followed" "$(rejects_requested)" 0
check_contains "and the request needs a person" "$(state)" "needs a person"
# positive control: the same site without a redirect approves
order=$((order + 1)); dom="r$order.example.net"
routes "{\"GET /products/EnterDCVCode\": {\"body\": \"<form>\"}, $ok_sectigo}"
: >"$T/ca.log"; expect sectigo "$dom" "$order"
pipe "$dom" "$(mail sectigo "$dom" "$order" "$ST/EnterDCVCode?orderNumber=$order" "$ST/RejectDCVCode?orderNumber=$order")"
check_eq "positive control: an honest page is answered" "$(requests | cut -d'?' -f1 | tr '\n' ' ')" \
	"GET /products/EnterDCVCode POST /products/EnterDCVCode "
check_contains "and the request approved" "$(state)" "approved|"

# --- 2. links spelled with every normalisation difference --------------------
# For each shipped CA with a reject link: the approve link spelled oddly is
# still the approve link (the classifier), planned (the policy) and requested
# in its normal form (the client); a reject link spelled so that its raw form
# looks like an approve link is none of these.
routes '{"*": {"body": "Your code was accepted successfully"}}'
# CA HOST APPROVE-PATH REJECT-PATH (as the CA writes them)
while read -r ca host apath rpath; do
	for variant in upper port dots pct fullwidth; do
		order=$((order + 1)); dom="$variant.$ca.example.org"
		case $variant in
		upper) a="HTTPS://$(echo "$host" | tr a-z A-Z)$apath" ;;
		port) a="https://$host:443$apath" ;;
		dots) a="https://$host/x/y/../..$apath" ;;
		pct) a="https://$host$(echo "$apath" | sed 's/e/%65/')" ;;
		fullwidth) a="https://$(echo "$host" | sed 's/\./．/g')$apath" ;;
		esac
		a=$(echo "$a" | sed "s/ORDER/$order/g"); want="https://$host$(echo "$apath" | sed "s/ORDER/$order/g")"
		[ $variant = fullwidth ] && MAIL_HTML=1
		m=$(mail "$ca" "$dom" "$order" "$a" "https://$host$(echo "$rpath" | sed "s/ORDER/$order/g")")
		MAIL_HTML=
		expect "$ca" "$dom" "$order"
		check_eq "$ca, approve link spelled $variant: the classifier takes its normal form" \
			"$(approve_link "$m")" "$want"
		: >"$T/ca.log"
		pipe "$dom" "$m"
		check_eq "$ca, approve link spelled $variant: the policy plans the approval" "$(planned)" approve
		check_eq "$ca, approve link spelled $variant: the client requests exactly that form" \
			"$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["path"] for l in open(sys.argv[1]) if json.loads(l)["method"] == "GET"))' "$T/ca.log")" \
			"${want#https://$host}"
	done
	# reject links spelled so that only their normal form matches the reject pattern
	for spell in pct1 pct2 lowerhex hostport; do
		order=$((order + 1)); dom="$spell.reject.$ca.example.org"
		r="https://$host$(echo "$rpath" | sed "s/ORDER/$order/g")"
		case $spell in
		pct1) r=$(echo "$r" | sed 's/eject/%65ject/I') ;;
		pct2) r=$(echo "$r" | sed 's/\([Rr]\)eje/%5\1ej%65/; s/%5R/%52/; s/%5r/%72/') ;;
		lowerhex) r=$(echo "$r" | sed 's/eject/e%6aect/I') ;;
		hostport) r=$(echo "$r" | sed "s|^https://$host|HTTPS://$(echo "$host" | tr a-z A-Z):443/./x/..|") ;;
		esac
		# the mail has only this link: raw, it would look like the approve link
		m=$(mail "$ca" "$dom" "$order" "$r")
		expect "$ca" "$dom" "$order"
		check_eq "$ca, a reject link spelled $spell ($r): not the approve link" "$(approve_link "$m")" None
		: >"$T/ca.log"
		pipe "$dom" "$m"
		check_not_contains "$ca, a reject link spelled $spell: no approval planned" "$(planned)" approve
		check_eq "$ca, a reject link spelled $spell: the client requests nothing" "$(requests | wc -l)" 0
	done
done <<'CAS'
sectigo secure.trust-provider.com /products/EnterDCVCode?orderNumber=ORDER /products/EnterDCVCode?orderNumber=ORDER&next=/products/RejectDCVCode
digicert www.digicert.com /link/approve?t=TOKORDER /link/reject?t=TOKORDER
globalsign system.globalsign.com /dv/approve?k=KORDER /dv/reject?k=KORDER
certum www.certum.pl /verify/domain?t=TORDER /verify/reject?t=TORDER
cybertrust www.cybertrust.co.jp /ssl/approve?id=IORDER /ssl/approve/reject?id=IORDER
sslcom secure.ssl.com /validate/dcv?code=CORDER /validate/reject?code=CORDER
CAS
# look-alikes the IDN mapping turns into URL delimiters (found by fuzz-url):
# a full-width "＠" or "＃" in the host would move where the host ends, so
# such a link has no normal form: never the approve link, nothing requested
for spell in at hash; do
	order=$((order + 1)); dom="$spell.lookalike.digicert.example.org"
	case $spell in
	at) a="https://www.digicert.com＠evil.example/link/approve?t=TOK$order" ;;
	hash) a="https://evil.example＃.www.digicert.com/link/approve?t=TOK$order" ;;
	esac
	MAIL_HTML=1
	m=$(mail digicert "$dom" "$order" "$a")
	MAIL_HTML=
	expect digicert "$dom" "$order"
	check_eq "digicert, a host with a full-width $spell ($a): not the approve link" "$(approve_link "$m")" None
	: >"$T/ca.log"
	pipe "$dom" "$m"
	check_not_contains "digicert, a host with a full-width $spell: no approval planned" "$(planned)" approve
	check_eq "digicert, a host with a full-width $spell: the client requests nothing" "$(requests | wc -l)" 0
done
# --- 3. the CA's page confirms the order ------------------------------------
TC=https://pages.ca.test
page_case() { # DESCRIPTION DOMAIN ORDER PAGE
	routes "{\"GET /approve\": {\"body\": \"$4\"}, \"POST /approve\": {\"body\": \"approved\"}}"
	: >"$T/ca.log"; expect testca "$2" "$3"
	pipe "$2" "$(mail testca "$2" "$3" "$TC/approve?o=$3")"
}
page_case "a page naming another domain" www.example.com 7001 "<p>Approve the certificate for <b>www.example.org</b>, order 7001?</p>"
check_eq "a page naming another domain: nothing is POSTed" "$(requests | cut -d'?' -f1 | tr '\n' ' ')" "GET /approve "
st=$(state)
check_contains "a page naming another domain: the request needs a person" "$st" "pending|needs a person"
check_contains "with both values in the reason" "$st" "domain www.example.com not shown, order 7001 shown"
page_case "a page naming a longer name" shop.example.com 7002 "<p>shop.example.com.evil.test, order 7002</p>"
check_eq "a page naming shop.example.com.evil.test for shop.example.com: nothing is POSTed" "$(requests | grep -c '^POST')" 0
page_case "a page naming another order" api.example.com 7003 "<p>api.example.com order 70031</p>"
check_eq "a page naming order 70031 for 7003: nothing is POSTed" "$(requests | grep -c '^POST')" 0
check_contains "and both values are in the reason" "$(state)" "domain api.example.com shown, order 7003 not shown"
page_case "the right page" mail.example.com 7004 "<p>Approve the certificate for <b>MAIL.example.com</b> (order #7004).</p>"
check_eq "positive control: the right page is answered" "$(requests | cut -d'?' -f1 | tr '\n' ' ')" "GET /approve POST /approve "
check_contains "and the request approved" "$(state)" "approved|"
printf 'ca x "X"\n from-domain x.test\n link-host x.test\nrule x\n type dcv\n subject /x/\n approve-page-shows domain\n' >"$T/bad.rules"
out=$(DCVMAIL_RULES_DIR="$T" "$DCVMAIL" rules lint "$T" 2>&1); rc=$?
check_contains "approve-page-shows without a form is a rules error naming file and line ($rc)" "$out" "bad.rules:4"
check_contains "saying why" "$out" "approve-page-shows needs approve-method post"
rm -f "$T/bad.rules"

# --- 4. issue 13.11: the deadline bounds the whole approval; 5 redirects ------
conf 2 20
order=$((order + 1)); dom="slow.example.net"
routes "{\"GET /products/EnterDCVCode\": {\"body\": \"<form>\", \"delay\": 9}, $ok_sectigo}"
expect sectigo "$dom" "$order"
m=$(mail sectigo "$dom" "$order" "$ST/EnterDCVCode?orderNumber=$order")
t0=$(date +%s.%N); pipe "$dom" "$m"; rc=$?; t1=$(date +%s.%N)
el=$(python3 -c "print(round($t1 - $t0, 1))")
check "pipe-action-deadline 2, approve-timeout 20, a page that takes 9 s: pipe returns within 5 s (${el}s)" \
	python3 -c "import sys; sys.exit(0 if $t1 - $t0 < 5 else 1)"
check_eq "the message is delivered (exit 0)" "$rc" 0
check_eq "the approval waits for the outbox, nothing approved" \
	"$(q "select done || ' ' || attempts from outbox where kind = 'approve' order by id desc limit 1") $(q "select state from requests order by id desc limit 1")" "0 1 pending"
conf
chain() { # N: the page redirects N times within the CA's host, then answers
	r="\"GET /products/EnterDCVCode\": {\"status\": 302, \"location\": \"$ST/h1\"}"
	i=1; while [ $i -lt "$1" ]; do r="$r, \"/products/h$i\": {\"status\": 302, \"location\": \"$ST/h$((i + 1))\"}"; i=$((i + 1)); done
	routes "{$r, \"/products/h$1\": {\"body\": \"<form>\"}, \"POST /products/h$1\": {\"body\": \"accepted successfully\"}}"
}
order=$((order + 1)); dom="five.example.net"; chain 5; : >"$T/ca.log"; expect sectigo "$dom" "$order"
pipe "$dom" "$(mail sectigo "$dom" "$order" "$ST/EnterDCVCode?orderNumber=$order")"
check_contains "a chain of exactly 5 redirects is followed (the man page allows 5)" "$(state)" "approved|"
check_eq "with the form POSTed where it ended" "$(requests | tail -1)" "POST /products/h5"
order=$((order + 1)); dom="six.example.net"; chain 6; : >"$T/ca.log"; expect sectigo "$dom" "$order"
pipe "$dom" "$(mail sectigo "$dom" "$order" "$ST/EnterDCVCode?orderNumber=$order")"
check_contains "a chain of 6 redirects is refused" "$(state)" "more than 5 redirects"
check_eq "and the sixth target is never requested" "$(requests | grep -c '/h6')" 0
t_done
