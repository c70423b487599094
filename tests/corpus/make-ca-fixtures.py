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

# --- issue 15: more generations, brands, notations and languages. Facts per
# fixture are cited in the rule files (rules/*.rules, "Evidence per rule");
# the prose is ours. Where a rule file says "assumed", so is the fixture.
# DigiCert CertCentral, older Japanese subject (domain and order in the subject)
msg("digicert-dcv-ja-legacy-subject", "DigiCert <no-reply@digitalcertvalidation.com>", "admin@example.jp",
    "[要対応]以下の証明書申請を承認する www.example.jp{55120988}を検証するリクエストを受け取りました",
    "ご担当者様\n\n証明書の申請を承認するには、次のページを開いて手順に従ってください。\nhttps://www.digicert.com/link/approve?t=bGVnYWN5c3ViamVjdA\n",
    cs="iso-2022-jp", enc="7bit")
# DigiCert Japan storefront generation: HTML only, Shift_JIS, full-width colons
msg("digicert-dcv-ja-storefront-sjis-html", "DigiCert Japan <validation@digicert.com>", "webmaster@example.jp",
    "[要対応]以下の証明書申請を承認してください",
    html='<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"></head><body>'
         '<p>ドメイン名の利用権確認のため、本メールをお送りしています。</p>'
         '<table><tr><td>コモンネーム：</td><td>shop.example.jp</td></tr><tr><td>オーダー番号：</td><td>55120989</td></tr>'
         '<tr><td>申請団体：</td><td>株式会社サンプル</td></tr></table>'
         '<p><a href="https://www.digicert.co.jp/link/approve?t=c3RvcmVmcm9udA">承認画面を開く</a></p></body></html>',
    cs="shift_jis", enc="base64")
msg("digicert-dcv-wildcard", DC, "admin@example.com", "[Action Required] Approve Certificate Request for *.example.com {48213390}",
    "A wildcard certificate was requested for *.example.com.\nApprove: https://www.digicert.com/link/approve?t=d2lsZGNhcmQ\nReject: https://www.digicert.com/link/reject?t=d2lsZGNhcmQ\n")
msg("digicert-dcv-order-hash", DC, "admin@example.com", "[Action Required] Approve Certificate Request for api.example.com {#48213392}",
    "Approve the request for api.example.com:\nhttps://www.digicert.com/link/approve?t=aGFzaG9yZGVy\n")
# EV: English verified-contact approval, second wording
msg("digicert-ev-approver-extended", "DigiCert <orders@digicert.com>", "cfo@example.org",
    "Action Required: Confirm Extended Validation order for secure.example.org",
    "Order #: 48299002\nOrganization: Example Org Ltd\nYou are listed as a verified contact. Review and approve:\nhttps://www.digicert.com/link/ev-approve?t=RVYyb3JkZXI\n")
# EV: Japanese verified contact (認証済連絡先 / 申請責任者への申請意思確認), ISO-2022-JP
evja = """申請責任者 様

貴団体を申請団体とするEV証明書の申請がありました。認証済連絡先として申請意思のご確認をお願いします。

オーダー番号: 48299101
コモンネーム: secure.example.jp
申請団体: 株式会社サンプル

内容を確認のうえ、次のページで承認してください。
https://www.digicert.com/link/ev-approve?t=amFldmludGVudA
"""
msg("digicert-ev-verified-contact-ja", "DigiCert <orders@digicert.com>", "sekinin@example.jp",
    "【デジサート】申請責任者への申請意思確認のお願い", evja, cs="iso-2022-jp", enc="7bit")
msg("digicert-ev-verified-contact-ja-sjis-html", "DigiCert <orders@digicert.com>", "sekinin@example.jp",
    "【デジサート】認証済連絡先様 EV証明書申請の承認のお願い",
    html="<html><body>" + "".join("<p>%s</p>" % l for l in evja.replace(": ", "：").replace("48299101", "48299102").splitlines() if l.strip()).replace(
        "https://www.digicert.com/link/ev-approve?t=amFldmludGVudA", '<a href="https://www.digicert.com/link/ev-approve?t=c2ppc2h0bWw">承認ページ</a>') + "</body></html>",
    cs="shift_jis", enc="quoted-printable")
# Symantec era: GeoTrust's approver mail; once from GeoTrust, once white-labelled by a reseller
msg("digicert-symantec-confirmation", "GeoTrust <approvals@geotrust.com>", "admin@example.fr",
    "Certificate Request Confirmation for www.example.fr",
    "A certificate was requested for www.example.fr.\nTo approve, visit https://products.geotrust.com/orders/approve.do?p=U3ltYW50ZWM\nTo decline: https://products.geotrust.com/orders/decline.do?p=U3ltYW50ZWM\n")
msg("digicert-symantec-confirmation-reseller", "ssl@reseller-hosting.example", "admin@example.fr",
    "Certificate Request Confirmation for www.example.fr",
    "A certificate was requested for www.example.fr.\nTo approve, visit https://products.geotrust.com/orders/approve.do?p=UmVzZWxsZXI\n",
    extra="Received: from authmail1.symauth.com (authmail1.symauth.com [192.0.2.55]) by mx.example.fr; Tue, 24 Nov 2026 08:59:00 +0000\r\n")
msg("digicert-rapidssl-order-received", "RapidSSL <orderprocessing@rapidssl.com>", "tech@example.se",
    "RapidSSL order received for Domain example.se",
    "We received your order. Manage it at https://products.geotrust.com/orders/orderinformation/authentication.do\n")
msg("digicert-rapidssl-legacy", "RapidSSL <validation@rapidssl.com>", "admin@example.se",
    "Please validate ownership of your domain: example.se",
    "Approve the certificate for example.se here: https://products.rapidssl.com/approve/dcv?token=UmFwaWRTU0w\n")

# Sectigo: Comodo generation, wildcard, EV/OV subscriber agreement and callback
msg("sectigo-dcv-comodo-plain", "Comodo Security Services <noreply_support@comodo.com>", "admin@example.co.uk",
    "ORDER #12345678 - Domain Control Validation for www.example.co.uk",
    "The validation code is: Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5\nEnter it at https://secure.comodo.com/products/EnterDCVCode?orderNumber=12345678\n"
    "Not yours? https://secure.comodo.com/products/RejectDCVCode?orderNumber=12345678&dcvCode=Q1w2\n")
msg("sectigo-dcv-wildcard", SEC, "admin@example.net", "ORDER #123456800 - Domain Control Validation for *.example.net",
    "Your validation code is: W1l2d3C4a5r6d7*C8o9d0-E1x2a3m4p5\nhttps://secure.trust-provider.com/products/EnterDCVCode?orderNumber=123456800\n")
msg("sectigo-subscriber-agreement", SEC, "ceo@example.net", "ORDER #123456801 - Subscriber Agreement",
    "As the administrative contact of this EV order, please read and accept the Subscriber Agreement:\n"
    "https://secure.trust-provider.com/products/!SubscriberAgreement?orderNumber=123456801\n")
msg("sectigo-callback", SEC, "office@example.net", "Sectigo Callback Verification required",
    "Order Number: 123456802\nStart the verification call and note the code it gives:\nhttps://secure.trust-provider.com/products/!Callback?orderNumber=123456802\n")
msg("sectigo-dcv-reseller-sender", "CSP SSL <support@cspssl.jp>", "admin@example.jp",
    "ORDER #123456803 - Domain Control Validation for www.example.jp",
    "Your validation code is: R1e2s3e4l5l6e7r8*C9o0d1e2-X3y4Z5\nhttps://secure.trust-provider.com/products/EnterDCVCode?orderNumber=123456803\n")
msg("zerossl-verify-html", "ZeroSSL <noreply@trust-provider.com>", "admin@example.dev", "Verify Domains (reference #70012346)",
    html='<html><body><p>ZeroSSL needs you to verify <b>example.dev</b>.</p><p><a href="https://secure.trust-provider.com/products/EnterDCVCode?orderNumber=70012346">Verify</a></p></body></html>',
    enc="quoted-printable")

# GlobalSign / GMO GlobalSign
msg("globalsign-dcv-alphassl", "AlphaSSL <validation@globalsign.com>", "admin@example.eu",
    "AlphaSSL Approval Required for www.example.eu",
    "Order Number: CE2026112400200\nOpen the approver page and press I Approve:\nhttps://system.globalsign.com/dv/approve?k=QWxwaGFTU0w\n")
msg("globalsign-dcv-ja-shiyokyodaku", "GMO GlobalSign <dv@gmogs.com>", "admin@example.co.jp",
    "【GMOグローバルサイン】ドメイン名使用許諾のお願い www.example.co.jp",
    "オーダーID：JP2026112400457\n承認ページ: https://jp.globalsign.com/dv/approve?k=U2hpeW9reW9kYWt1\n", cs="iso-2022-jp", enc="7bit")
msg("globalsign-dcv-ja-sjis-html", "GMO GlobalSign <dv@globalsign.co.jp>", "hostmaster@example.ne.jp",
    "ドメイン認証 承認のお願い www.example.ne.jp",
    html='<html><body><p>注文番号：JP2026112400458</p><p><a href="https://jp.globalsign.com/dv/approve?k=U0pJU2h0bWw">承認する</a></p></body></html>',
    cs="shift_jis", enc="base64")
msg("globalsign-order-acknowledgement", GS, "it@example.com", "GlobalSign Order Acknowledgement",
    "Order Number: CE2026112400300\nYour Domain Verification Page: https://system.globalsign.com/dvp/start?o=RFZQ\n")
msg("globalsign-ev-approver-ja", "GMO GlobalSign <ev@gmogs.com>", "sekinin@example.co.jp",
    "【GMOグローバルサイン】EV SSL 申請意思確認のお願い",
    "オーダー番号: JP2026112400459\nコモンネーム: secure.example.co.jp\n確認ページ: https://jp.globalsign.com/ev/confirm?k=RVZqYQ\n", cs="iso-2022-jp", enc="7bit")

# GoDaddy / Starfield
msg("godaddy-domain-access-verification", "GoDaddy <donotreply@godaddy.com>", "admin@example.us", "Domain Access Verification",
    "A certificate signing request was submitted for:\nDomain(s): www.example.us\n"
    "Approve: https://certs.godaddy.com/anonymous/domainapproval.pki?vk=ZYXWVUTSRQPONMLKJIHGFEDCBA543210\n")
msg("godaddy-dcv-starfield", "Starfield Technologies <donotreply@starfieldtech.com>", "admin@example.us",
    "Please verify the SSL certificate request for shop.example.us",
    "Verify: https://certs.starfieldtech.com/anonymous/domainapproval.pki?vk=STARFIELD0123456789ABCDEFGHIJKLM\n")

# Amazon ACM: before Nov 2020, and a wildcard request
msg("amazon-acm-legacy", "Amazon Certificates <no-reply@certificates.amazon.com>", "admin@example.app", "Certificate approval for example.app",
    "Approve: https://us-east-1.acm-certificates.amazon.com/approvals?code=9f8e7d6c-1111-2222-3333-444455556666&context=99990000\n")
msg("amazon-acm-wildcard", "Amazon Certificates <no-reply@certificates.amazon.com>", "admin@example.app", "Certificate request for *.example.app",
    "Approve: https://ap-northeast-1.acm-certificates.amazon.com/approvals?code=1a2b3c4d-aaaa-1111-bbbb-222233334444&context=12340000\n")

# Registrar / ICANN registrant verification: Japanese, English, German
msg("registrar-verification-ja-onamae", "お名前.com <verification-noreply@onamae.com>", "owner@example.com",
    "【重要】[ムームードメイン] ドメイン 情報認証のお願い",
    "登録メールアドレスの有効性を確認するため、次のURLを開いてください。\nhttps://www.onamae.com/domain/verify?c=T25hbWFl\n", cs="iso-2022-jp", enc="7bit")
msg("registrar-verification-ja-opensrs", "Registrar <noreply@opensrs.email>", "owner@example.net",
    "【example.net】ドメイン立証確認のお願い",
    html='<html><body><p>登録者メールアドレスの確認をお願いします。</p><p><a href="https://verify.opensrs.email/v?c=T3BlblNSUw">確認する</a></p></body></html>',
    cs="utf-8", enc="base64")
msg("registrar-verification-ja-whois-sjis", "お名前.com <info@onamae.com>", "owner@example.org",
    "【必ずご対応ください】[お名前.com] Whois情報修正のお願い (example.org)",
    "Whois情報が不正確であるとの指摘がありました。管理画面で修正してください。\nhttps://www.onamae.com/navi/login?x=V2hvaXM\n", cs="shift_jis", enc="base64")
msg("registrar-verification-de-metanet", "METANET AG <registrant-verification@ispapi.net>", "inhaber@example.com",
    "Die Verifizierung Ihrer Domains ist erforderlich \u2013 example.com",
    "Bitte bestätigen Sie innerhalb von 15 Tagen Ihre Kontaktdaten:\nhttps://verification.ispapi.net/v?c=TWV0YW5ldA\n", enc="quoted-printable")
msg("registrar-verification-de-ionos", "IONOS <domains@ionos.de>", "inhaber@example.net",
    "Bestätigung Ihrer E-Mail-Adresse für example.net",
    "Klicken Sie auf den Verifizierungslink, sonst wird die Domain nach 15 Tagen deaktiviert:\nhttps://www.ionos.de/verify?c=SU9OT1M\n", enc="quoted-printable")
msg("registrar-verification-en-enom", "eNom <info@name-services.com>", "owner@example.org",
    "IMMEDIATE VERIFICATION required for example.org",
    "Verify your email address: http://raa.name-services.com/raaverification/verification.aspx?VerificationCode=RU5vbQ\n")
msg("registrar-verification-en-godaddy", "GoDaddy <info@godaddy.com>", "owner@example.net",
    "Verify your contact information for example.net",
    "ICANN requires us to confirm your email address within 15 days: https://dcc.godaddy.com/verify?c=R29EYWRkeQ\n")

# IDN names, in the subject as U-label and as A-label
msg("digicert-dcv-idn", DC, "admin@xn--bcher-kva.example", "[Action Required] Approve Certificate Request for www.bücher.example {48213393}",
    "Approve the request for www.bücher.example:\nhttps://www.digicert.com/link/approve?t=aWRudWxhYmVs\n")
msg("digicert-dcv-idn-alabel", DC, "admin@xn--bcher-kva.example", "[Action Required] Approve Certificate Request for www.xn--bcher-kva.example {48213394}",
    "Approve the request for www.xn--bcher-kva.example:\nhttps://www.digicert.com/link/approve?t=aWRuYWxhYmVs\n")
msg("sectigo-dcv-idn", SEC, "admin@xn--mller-kva.example", "ORDER #123456804 - Domain Control Validation for shop.müller.example",
    "Your validation code is: I1d2n3*M4u5e6l7l8e9r0-A1b2C3d4E5\nhttps://secure.trust-provider.com/products/EnterDCVCode?orderNumber=123456804\n")

# DigiCert Japan reminder and issued notice (wordings in rules/digicert.rules)
msg("digicert-reminder-ja", "DigiCert <no-reply@digitalcertvalidation.com>", "admin@example.jp",
    "[リマインダー] ドメイン名の利用権確認のお願い:www.example.jp {55120987}",
    "まだ承認されていません。\nhttps://www.digicert.co.jp/link/approve?t=cmVtaW5kZXJqYQ\n", cs="iso-2022-jp", enc="7bit")
msg("digicert-issued-ja", "DigiCert <orders@digicert.com>", "it@example.jp", "証明書発行のお知らせ",
    "オーダー番号：55120987\n証明書を発行しました。\n", cs="utf-8", enc="base64")

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
