#!/usr/bin/env python3
"""Writes the CA fixtures in tests/corpus/ca/ (invented orders, domains and
codes; wording from the CAs' public subjects). Run it again after editing;
the .expect files beside them are written by hand."""
import base64, os, quopri
from email.header import Header

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ca")
DATE = "Date: Tue, 24 Nov 2026 09:00:00 +0000\r\n"

def hdr(s, cs="utf-8"):
    try:
        s.encode("ascii"); return s
    except UnicodeEncodeError:
        return Header(s, cs).encode()

def msg(name, frm, to, subject, text=None, html=None, cs="utf-8", enc="8bit", extra="", subj_cs=None):
    h = "From: %s\r\nTo: %s\r\nSubject: %s\r\n%sMessage-ID: <%s@fixtures.example>\r\nMIME-Version: 1.0\r\n%s" % (
        frm, to, hdr(subject, subj_cs or cs), DATE, name, extra)
    def part(body, sub):
        raw = body.encode(cs, "replace") if cs != "iso-2022-jp" else body.encode("iso-2022-jp")
        if enc == "base64":
            payload = base64.encodebytes(raw).replace(b"\n", b"\r\n")
        elif enc == "quoted-printable":
            payload = quopri.encodestring(raw).replace(b"\n", b"\r\n")
        else:
            payload = raw.replace(b"\n", b"\r\n")
        return ("Content-Type: text/%s; charset=%s\r\nContent-Transfer-Encoding: %s\r\n\r\n" % (sub, cs, enc)).encode() + payload
    if text is not None and html is not None:
        b = b"--=_b1\r\n" + part(text, "plain") + b"\r\n--=_b1\r\n" + part(html, "html") + b"\r\n--=_b1--\r\n"
        data = (h + 'Content-Type: multipart/alternative; boundary="=_b1"\r\n\r\n').encode() + b
    else:
        body, sub = (text, "plain") if text is not None else (html, "html")
        data = h.encode() + part(body, sub)
    with open(os.path.join(OUT, name + ".eml"), "wb") as f:
        f.write(data)

DC = "DigiCert <no-reply@digitalcertvalidation.com>"
dc_text = """Hello,

A certificate request for shop.example.com (order #48213377) needs the approval of
the domain owner. If you approve, click the link below:

https://www.digicert.com/link/approve?t=Q2hvb3NlIHlvdXIgb3duIHRva2Vu

If you did not request this certificate, reject it here:
https://www.digicert.com/link/reject?t=Q2hvb3NlIHlvdXIgb3duIHRva2Vu

DigiCert Validation Team
"""
msg("digicert-dcv-plain", DC, "admin@example.com", "[Action Required] Approve Certificate Request for shop.example.com {48213377}", dc_text)
msg("digicert-dcv-copy-webmaster", DC, "webmaster@example.com", "[Action Required] Approve Certificate Request for shop.example.com {48213377}", dc_text.replace("Hello,", "Hello webmaster,"))
msg("digicert-dcv-html", DC, "dcv@example.com", "[Action Required] Approve Certificate Request for shop.example.com {48213377}",
    html='<html><body><p>Approve the request for <b>shop.example.com</b>.</p><p><a href="https://www.digicert.com/link/approve?t=SFRNTGNvcHk">Approve</a> | <a href="https://www.digicert.com/link/reject?t=SFRNTGNvcHk">Reject</a></p></body></html>',
    enc="quoted-printable")
ja = """お客様

以下のドメイン名について、証明書の発行申請がありました。
ドメイン名: www.example.jp
オーダー番号: 55120987

承認する場合は次のリンクを開いてください。
https://www.digicert.co.jp/link/approve?t=amFwYW5lc2U

DigiCert Japan
"""
msg("digicert-dcv-ja-iso2022jp", "DigiCert <no-reply@digitalcertvalidation.com>", "admin@example.jp",
    "[Domain Approval]:ドメイン名の利用権確認のお願い:www.example.jp {55120987}", ja, cs="iso-2022-jp", enc="7bit")
msg("digicert-dcv-ja-sjis-base64", "DigiCert <no-reply@digitalcertvalidation.com>", "hostmaster@example.jp",
    "[Domain Approval]:ドメイン名の利用権確認のお願い:www.example.jp {55120987}", ja.replace("お客様", "ご担当者様"), cs="shift_jis", enc="base64")
msg("digicert-dcv-ja-legacy", "DigiCert <validation@digicert.com>", "admin@example.jp",
    "[要対応]以下の証明書申請を承認してください", ja.replace("ドメイン名:", "コモンネーム:"), cs="utf-8", enc="base64")
msg("digicert-geotrust-legacy", "GeoTrust <validation@geotrust.com>", "admin@example.org",
    "Please validate ownership of your domain:mail.example.org",
    "Open https://products.geotrust.com/approve/dcv?token=R2VvVHJ1c3Q to approve.\n")
msg("digicert-ev-approver", DC, "legal@example.com", "[Action Required] Approve EV Certificate Request for secure.example.com",
    "Order Number: 48299001\nAs the verified approver please confirm: https://www.digicert.com/link/ev-approve?t=RVZhcHByb3Zl\n")
msg("digicert-reminder", DC, "admin@example.com", "Reminder: Approve Certificate Request for shop.example.com {48213377}",
    "This is a reminder. " + dc_text)
msg("digicert-issued", "DigiCert <orders@digicert.com>", "it@example.com", "Your SSL Certificate for shop.example.com is issued",
    "Order Number: 48213377\nYour certificate is attached.\n")

SEC = "Sectigo <noreply_support@trust-provider.com>"
sec = """Dear domain administrator,

We received an order for a certificate for www.example.net. To approve it, go to
https://secure.trust-provider.com/products/EnterDCVCode?orderNumber=123456789
and enter this validation code:

Your validation code is: A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4

If you do not want this certificate, reject it:
https://secure.trust-provider.com/products/RejectDCVCode?orderNumber=123456789&dcvCode=A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4
"""
msg("sectigo-dcv-plain", SEC, "admin@example.net", "ORDER #123456789 - Domain Control Validation for www.example.net", sec)
msg("sectigo-dcv-html-comodo", "Comodo <noreply_support@comodo.com>", "webmaster@example.net", "ORDER #123456789 - Domain Control Validation for www.example.net",
    html='<p>Enter the <b>validation code</b>: A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4</p><p><a href="https://secure.comodo.net/products/EnterDCVCode?orderNumber=123456789">Enter code</a></p><p><a href="https://secure.comodo.net/products/RejectDCVCode?orderNumber=123456789&amp;dcvCode=X">Reject</a></p>')
msg("sectigo-reject-only", SEC, "admin@example.net", "ORDER #123456790 - Domain Control Validation for api.example.net",
    "Your validation code is: Z9y8*X7w6-V5u4T3s2*R1q0-P9o8N7m6\nReject: https://secure.trust-provider.com/products/RejectDCVCode?orderNumber=123456790&dcvCode=Z9\n")
msg("zerossl-verify", "ZeroSSL <noreply@trust-provider.com>", "admin@example.io", "Verify Domains (reference #70012345)",
    "Please verify example.io: https://secure.trust-provider.com/products/EnterDCVCode?orderNumber=70012345\n")
msg("sectigo-issued", SEC, "it@example.net", "ORDER #123456789 - Your PositiveSSL Certificate for www.example.net", "Attached is your certificate.\n")
msg("sectigo-confirmation", SEC, "it@example.net", "ORDER #123456789 - CONFIRMATION", "Thank you for your order.\n")
msg("sectigo-documents", SEC, "it@example.net", "Information Required Order 123456791", "Please send us your business registration.\n")

GS = "GlobalSign <validation@globalsign.com>"
msg("globalsign-dcv", GS, "approver@example.com", "Domain Control Validation Approval Request for portal.example.com",
    "Order Number: CE2026112400123\nApprove: https://system.globalsign.com/dv/approve?k=R2xvYmFsU2lnbg\n")
msg("globalsign-dcv-ja", "GMO GlobalSign <dv@gmogs.com>", "approver@example.jp", "【GlobalSign】ドメイン認証 承認のお願い portal.example.jp",
    "オーダー番号: JP2026112400456\n承認: https://jp.globalsign.com/dv/approve?k=R01PR1M\n", cs="iso-2022-jp", enc="7bit")
msg("cybertrust-dcv", "Cybertrust <ssl@cybertrust.co.jp>", "whois-contact@example.jp", "ドメイン使用権確認のお願い",
    "ドメイン名: www.example.jp\n承認はこちら: https://www.cybertrust.co.jp/ssl/approve?id=Q3liZXI\n")
msg("sslcom-dcv", "SSL.com <noreply@ssl.com>", "admin@example.org", "Domain Control Validation for: example.org, www.example.org",
    "Validate: https://secure.ssl.com/validate/dcv?code=U1NMY29t\n")
msg("sslcom-will-be-sent", "SSL.com <orders@ssl.com>", "it@example.org", "SSL.com Validation Request Will Be Sent for example.org",
    "A validation request will be sent to admin@example.org shortly.\n")
msg("sslcom-issued", "SSL.com <orders@ssl.com>", "it@example.org", "Your SSL.com Certificate Is Attached For example.org", "See attachment.\n")
msg("godaddy-dcv", "GoDaddy <donotreply@godaddy.com>", "admin@example.biz", "Please approve the SSL certificate request for example.biz",
    "Approve: https://certs.godaddy.com/anonymous/domainapproval.pki?vk=ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\n")
msg("amazon-acm", "Amazon Certificates <no-reply@certificates.amazon.com>", "admin@example.app", "Certificate request for www.example.app",
    "To approve: https://eu-west-1.acm-certificates.amazon.com/approvals?code=0b1c2d3e-aaaa-bbbb-cccc-123456789abc&context=11112222\n")
msg("certum-dcv", "Certum <ssl@certum.pl>", "admin@example.pl", "Domain administrator email verification \u2013 example.pl",
    "Verify: https://www.certum.pl/verify/domain?t=Q2VydHVt\n")
msg("certum-request-created", "Certum <ssl@certum.pl>", "it@example.pl", "Certificate request has been created \u2013 certificate for example.pl", "Thank you.\n")
msg("jprs-dcv", "JPRS <ssl@jprs.co.jp>", "admin@example.co.jp", "【JPRS】サーバー証明書 ドメイン名使用権の確認のお願い",
    "ドメイン名: www.example.co.jp\nhttps://ssl.jprs.jp/approve?t=SlBSUw\n", cs="iso-2022-jp", enc="7bit")
msg("registrar-verification-ja", "お名前.com <info@onamae.com>", "owner@example.jp", "[重要]ドメイン情報認証確認のお願い", "リンクを開いてください: https://www.onamae.com/verify?x=1\n", cs="iso-2022-jp", enc="7bit")
msg("registrar-verification-en", "Registrar <support@namecheap.com>", "owner@example.com", "IMMEDIATE VERIFICATION required for example.com", "https://ap.www.namecheap.com/verify?x=2\n")
msg("letsencrypt-expiry", "Let's Encrypt <expiry@letsencrypt.org>", "it@example.com", "Let's Encrypt certificate expiration notice for domain \"www.example.com\"", "Renew soon.\n")
msg("ordinary-mail", "Colleague <alice@example.com>", "admin@example.com", "Lunch on Friday?", "Shall we try the new place? https://maps.example.com/x\n")
# phishing lookalikes
msg("phish-foreign-sender", "DigiCert <no-reply@digitalcertvalidation.example.net>", "admin@example.com",
    "[Action Required] Approve Certificate Request for shop.example.com {48213377}", dc_text)
msg("phish-lookalike-host", DC, "admin@example.com", "[Action Required] Approve Certificate Request for bank.example.com {48213378}",
    "Approve: https://www.digicert.com.evil.example/link/approve?t=ZXZpbA\n")
msg("phish-userinfo", DC, "admin@example.com", "[Action Required] Approve Certificate Request for bank.example.com {48213379}",
    "Approve: https://www.digicert.com@evil.example/link/approve?t=dXNlcg\n")
msg("phish-ip-literal", SEC, "admin@example.net", "ORDER #123450000 - Domain Control Validation for www.example.net",
    "Your validation code is: A1b2*C3d4-E5f6G7h8*I9j0-K1l2M3n4\nhttps://203.0.113.7/products/EnterDCVCode?orderNumber=123450000\n")
msg("phish-punycode", DC, "admin@example.com", "[Action Required] Approve Certificate Request for bank.example.com {48213380}",
    "Approve: https://www.xn--dgicert-rog.com/link/approve?t=cHVueQ\n")
msg("phish-http", DC, "admin@example.com", "[Action Required] Approve Certificate Request for bank.example.com {48213381}",
    "Approve: http://www.digicert.com/link/approve?t=aHR0cA\n")

msg("sectigo-expiry", SEC, "it@example.net", "Customer certificate expiry warning (30 days)", "Your certificate for www.example.net expires in 30 days.\n")
msg("registrar-transfer", "Registrar <transfers@gandi.net>", "owner@example.com", "Domain transfer request for example.com", "Approve or reject the transfer: https://www.gandi.net/transfer?x=1\n")

# Second variants: every fixture above again as an HTML-only, base64-encoded
# message (links only in href), the way many CA templates arrive. Phishing
# fixtures keep their one form.
import glob, html as htmlmod, re
for path in sorted(glob.glob(os.path.join(OUT, "*.eml"))):
    name = os.path.basename(path)[:-4]
    if name.endswith("-htmlb64") or name.startswith("phish-") or name == "ordinary-mail":
        continue
    raw = open(path, "rb").read()
    import email, email.policy
    m = email.message_from_bytes(raw, policy=email.policy.default)
    if m.is_multipart() or m.get_content_type() != "text/plain":
        continue
    text = m.get_content()
    def linkify(s):
        return re.sub(r"(https?://[^\s<>\"]+)", lambda mm: '<a href="%s">%s</a>' % (mm.group(1), "this link"), s)
    body = "<html><body>" + "".join("<p>%s</p>" % linkify(htmlmod.escape(l, quote=False)) for l in text.splitlines() if l.strip()) + "</body></html>"
    cs = m.get_content_charset() or "utf-8"
    if cs.lower() in ("shift_jis", "iso-2022-jp"):
        cs = "utf-8"
    msg(name + "-htmlb64", m["From"], m["To"], str(m["Subject"]), html=body, cs=cs, enc="base64")
    exp = os.path.join(OUT, name + ".expect")
    if os.path.exists(exp):
        open(os.path.join(OUT, name + "-htmlb64.expect"), "w").write(open(exp).read())
