#!/usr/bin/env python3
"""Writes tests/corpus/phish/: mail that imitates a CA. Each message says in its
X-Test-Reason header why it must be caught. genuine-*.eml are positive controls
(trusted DKIM/DMARC pass from the real CA). Domains are invented."""
import os
from email.header import Header
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "phish")
AR_OK = "Authentication-Results: mx.example.test; dkim=pass header.d=digicert.com\r\n"

def w(name, reason, frm, subject, body, html=False, extra="", cs="utf-8"):
    try:
        subject.encode("ascii")
    except UnicodeEncodeError:
        subject = Header(subject, cs).encode()
    ct = "text/html" if html else "text/plain"
    data = ("%sX-Test-Reason: %s\r\nFrom: %s\r\nTo: admin@example.com\r\nSubject: %s\r\n"
            "Message-ID: <%s@phish.example>\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: %s; charset=%s\r\n\r\n" % (extra, reason, frm, subject, name, ct, cs)).encode()
    data += body.replace("\n", "\r\n").encode(cs)
    open(os.path.join(OUT, name + ".eml"), "wb").write(data)

DC_SUBJ = "[Action Required] Approve Certificate Request for bank.example.com {48210001}"
DC = "DigiCert <no-reply@digitalcertvalidation.com>"
def dc_body(link): return "Approve the request for bank.example.com:\n%s\n" % link

w("foreign-sender", "DigiCert wording from a domain that is not DigiCert's", "DigiCert <no-reply@digitalcertvalidation.example.net>", DC_SUBJ, dc_body("https://www.digicert.com/link/approve?t=1"))
w("freemail-display-name", "display name says DigiCert, address is a free mailbox", "DigiCert Validation <dcv.team@mailer.example.org>", "Approve Certificate Request for bank.example.com", dc_body("https://www.digicert.com/link/approve?t=2"))
w("lookalike-suffix", "approval host digicert.com.evil.example only starts like DigiCert's", DC, DC_SUBJ, dc_body("https://www.digicert.com.evil.example/link/approve?t=3"), extra=AR_OK)
w("lookalike-hyphen", "approval host digicert-com.example imitates digicert.com", DC, DC_SUBJ, dc_body("https://digicert-com.example/link/approve?t=4"), extra=AR_OK)
w("punycode-cyrillic", "approval host uses a Cyrillic i (xn--dgicert-rog)", DC, DC_SUBJ, dc_body("https://www.xn--dgicert-rog.com/link/approve?t=5"), extra=AR_OK)
w("userinfo", "https://www.digicert.com@evil.example/ goes to evil.example", DC, DC_SUBJ, dc_body("https://www.digicert.com@evil.example/link/approve?t=6"), extra=AR_OK)
w("ip-literal", "approval link is an IP address", DC, DC_SUBJ, dc_body("https://198.51.100.9/link/approve?t=7"), extra=AR_OK)
w("plain-http", "approval link is http://", DC, DC_SUBJ, dc_body("http://www.digicert.com/link/approve?t=8"), extra=AR_OK)
w("urldefense-foreign", "a URL-defense wrapper hides a foreign approval page", DC, DC_SUBJ,
  dc_body("https://urldefense.com/v3/__https://approve.evil.example/link/approve?t=9__;!!abc"), extra=AR_OK)
w("safelinks-foreign", "a Safe Links wrapper hides a host imitating DigiCert", DC, DC_SUBJ,
  dc_body("https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fdigicert.com.approve.example%2Flink%2Fapprove%3Ft%3D10&data=x"), extra=AR_OK)
w("dkim-fail", "our border MTA says DKIM failed for the From domain", DC, DC_SUBJ, dc_body("https://www.digicert.com/link/approve?t=11"),
  extra="Authentication-Results: mx.example.test; dkim=fail header.d=digitalcertvalidation.com\r\n")
w("forged-ar", "a pass from an untrusted authserv-id, and a foreign link", DC, DC_SUBJ, dc_body("https://digicert.approve-now.example/link/approve?t=12"),
  extra="Authentication-Results: mx.evil.example; dkim=pass header.d=digicert.com\r\n")
w("sectigo-foreign-sender", "Sectigo wording from sectigo-support.example", "Sectigo <noreply@sectigo-support.example>",
  "ORDER #123459999 - Domain Control Validation for www.example.net",
  "Your validation code is: A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4\nhttps://secure.trust-provider.com/products/EnterDCVCode?orderNumber=123459999\n")
w("sectigo-lookalike", "Sectigo's page host with a foreign suffix", "Sectigo <noreply_support@trust-provider.com>",
  "ORDER #123459998 - Domain Control Validation for www.example.net",
  "Your validation code is: A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4\nhttps://secure.trust-provider.com.example.net/products/EnterDCVCode?orderNumber=123459998\n")
w("globalsign-display", "GlobalSign in the name, a foreign address, approval wording", "GlobalSign Support <support@gs-ssl.example>",
  "Domain Control Validation Approval Request for portal.example.com", "Order Number: CE2026000001\nhttps://gs-ssl.example/dv/approve?k=1\n")
w("digicert-ja-foreign", "Japanese DigiCert subject from a foreign domain", "DigiCert <no-reply@digicert-jp.example>",
  "[Domain Approval]:ドメイン名の利用権確認のお願い:www.example.jp {55120999}", "承認: https://www.digicert.co.jp/link/approve?t=13\n", cs="iso-2022-jp")
w("html-anchor-mismatch", "the anchor text shows digicert.com, the href goes elsewhere", DC, DC_SUBJ,
  '<p>Approve: <a href="https://approve.evil.example/link/approve?t=14">https://www.digicert.com/link/approve</a></p>', html=True, extra=AR_OK)
w("geotrust-lookalike", "legacy GeoTrust wording, link to geotrust.com.verify.example", "GeoTrust <validation@geotrust.com>",
  "Please validate ownership of your domain:mail.example.org", "https://geotrust.com.verify.example/approve/dcv?token=15\n")
w("amazon-lookalike", "ACM wording, link to a host imitating acm-certificates.amazon.com", "Amazon Certificates <no-reply@certificates.amazon.com>",
  "Certificate request for www.example.app", "https://eu-west-1.acm-certificates.amazon.com.example.org/approvals?code=16&context=1\n")
w("godaddy-lookalike", "GoDaddy wording, approval on certs-godaddy.example.com", "GoDaddy <donotreply@godaddy.com>",
  "Please approve the SSL certificate request for example.biz", "https://certs-godaddy.example.com/anonymous/domainapproval.pki?vk=ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\n")
w("sectigo-homoglyph", "a host written sectíg0 (accent and zero)", "Sectigo <noreply_support@trust-provider.com>",
  "ORDER #123459997 - Domain Control Validation for www.example.net",
  "Your validation code is: A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4\nhttps://secure.xn--sectg0-6va.com/products/EnterDCVCode?orderNumber=123459997\n")
# issue 15: the new wordings (EV intent, legacy brands, GoDaddy's Domain Access
# Verification, registrar verification) borrowed by senders that are not the CA.
w("ev-ja-foreign", "Japanese verified-contact wording from a domain that is not DigiCert's", "DigiCert <orders@digicert-japan.example>",
  "【デジサート】申請責任者への申請意思確認のお願い",
  "オーダー番号: 48299999\nコモンネーム: secure.example.jp\n申請団体: 株式会社サンプル\nhttps://www.digicert.com/link/ev-approve?t=17\n", cs="iso-2022-jp")
w("ev-en-lookalike-link", "DigiCert EV wording, approval link on digicert.com.ev-approve.example", "DigiCert <orders@digicert.com>",
  "Action Required: Confirm Extended Validation order for secure.example.org",
  "Order #: 48299998\nhttps://digicert.com.ev-approve.example/link/ev-approve?t=18\n", extra=AR_OK)
w("symantec-confirmation-lookalike", "Symantec-era GeoTrust wording, link to geotrust.com.orders.example", "GeoTrust <approvals@geotrust.com>",
  "Certificate Request Confirmation for www.example.fr", "To approve: https://geotrust.com.orders.example/orders/approve.do?p=19\n")
w("rapidssl-freemail", "RapidSSL legacy wording from a free mailbox", "RapidSSL Validation <rapidssl.validation@mailer.example.org>",
  "Please validate ownership of your domain: example.se", "https://products.rapidssl.com/approve/dcv?token=20\n")
w("godaddy-access-verification-foreign", "GoDaddy's Domain Access Verification from godaddy-certs.example", "GoDaddy <donotreply@godaddy-certs.example>",
  "Domain Access Verification",
  "Domain(s): www.example.us\nhttps://certs.godaddy.com/anonymous/domainapproval.pki?vk=ZYXWVUTSRQPONMLKJIHGFEDCBA543299\n")
w("sectigo-agreement-foreign", "Sectigo subscriber-agreement wording from sectigo-ev.example", "Sectigo <noreply@sectigo-ev.example>",
  "ORDER #123459996 - Subscriber Agreement", "https://sectigo-ev.example/products/!SubscriberAgreement?orderNumber=123459996\n")
w("globalsign-ja-foreign", "GMO GlobalSign 使用許諾 wording from gmo-globalsign.example", "GMO GlobalSign <dv@gmo-globalsign.example>",
  "【GMOグローバルサイン】ドメイン名使用許諾のお願い www.example.co.jp",
  "オーダーID：JP2026112499999\nhttps://jp.globalsign.com/dv/approve?k=21\n", cs="iso-2022-jp")
w("registrar-de-foreign", "German registrant-verification wording from a domain no registrar uses", "Domain-Service <verifizierung@domain-service.example>",
  "Die Verifizierung Ihrer Domains ist erforderlich \u2013 example.com",
  "Bitte bestätigen: https://domain-service.example/verify?c=22\n")
w("registrar-ja-with-ca-link", "registrar wording that carries a DigiCert approval link", "お名前.com <verification-noreply@onamae.com>",
  "【重要】[ムームードメイン] ドメイン 情報認証のお願い",
  "確認はこちら: https://www.digicert.com/link/approve?t=23\n", cs="iso-2022-jp")
# issue 16: Japanese CAs' brands are the label before the public suffix
# (libpsl): cybertrust.ne.jp -> cybertrust, jprs.jp -> jprs (a short brand,
# matched as a word of its own). Generic certificate wording from a foreign
# sender, so no CA rule matches: only the link host gives them away.
JA_GENERIC = "Please approve the certificate request for www.example.jp:\n%s\n"
w("cybertrust-lookalike-suffix", "a link host that only starts like Cybertrust's cybertrust.ne.jp", "SSL Team <ssl@mailer.example.org>",
  "Certificate approval needed", JA_GENERIC % "https://www.cybertrust.ne.jp.evil.example/ssl/approve?id=24")
w("cybertrust-lookalike-hyphen", "the link host cybertrust-secure.example.net imitates Cybertrust", "SSL Team <ssl@mailer.example.org>",
  "Certificate approval needed", JA_GENERIC % "https://cybertrust-secure.example.net/ssl/approve?id=25")
w("jprs-lookalike-suffix", "a link host that only starts like JPRS's jprs.jp", "SSL Team <ssl@mailer.example.org>",
  "サーバー証明書の承認のお願い", JA_GENERIC % "https://ssl.jprs.jp.evil.example/approve?t=26")
w("jprs-lookalike-hyphen", "the link host jprs-ssl.example.net imitates JPRS", "SSL Team <ssl@mailer.example.org>",
  "Certificate approval needed", JA_GENERIC % "https://jprs-ssl.example.net/approve?t=27")
# positive controls
w("genuine-digicert", "control: DigiCert with a trusted DKIM pass", DC, "[Action Required] Approve Certificate Request for shop.example.com {48210100}",
  dc_body("https://www.digicert.com/link/approve?t=ok"), extra=AR_OK)
w("genuine-sectigo", "control: Sectigo with a trusted aligned DMARC pass", "Sectigo <noreply_support@trust-provider.com>",
  "ORDER #123459900 - Domain Control Validation for www.example.net",
  "Your validation code is: A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4\nhttps://secure.trust-provider.com/products/EnterDCVCode?orderNumber=123459900\n",
  extra="Authentication-Results: mx.example.test; dkim=pass header.d=trust-provider.com; dmarc=pass header.from=trust-provider.com\r\n")
