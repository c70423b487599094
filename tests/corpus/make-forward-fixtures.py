#!/usr/bin/env python3
"""Writes the forwarded-mail fixtures in tests/corpus/ca/ (fwd-*.eml and
phish-fwd-*.eml): CA mail forwarded by a person with the clients' own
forwarded-message blocks (Gmail, Outlook, Thunderbird, Apple Mail, in English
and Japanese), as a message/rfc822 attachment, re-sent by a forwarding
service, and phishing that only pretends to be a forward. The inner CA mails
reuse the senders, subjects and link shapes of the CA fixtures (facts from
the rules files and CA-FACTS.md); orders, tokens and people are invented.
Run it again after editing; the .expect files beside them are written by hand."""
import base64, os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ca")

def hdr(s):
    try:
        s.encode("ascii"); return s
    except UnicodeEncodeError:
        return "=?utf-8?b?%s?=" % base64.b64encode(s.encode()).decode()

def head(name, frm, to, subject, date="Tue, 24 Nov 2026 10:15:00 +0000", extra=""):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@fixtures.example>\r\n%sMIME-Version: 1.0\r\n"
            % (frm, to, hdr(subject), date, name, extra))

def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n")

def textpart(body, sub="plain", enc="8bit"):
    raw = body.encode()
    payload = base64.encodebytes(raw).decode() if enc == "base64" else body
    return "Content-Type: text/%s; charset=utf-8\r\nContent-Transfer-Encoding: %s\r\n\r\n%s" % (sub, enc, crlf(payload))

def write(name, data):
    with open(os.path.join(OUT, name + ".eml"), "wb") as f:
        f.write(data.encode())

def plain(name, frm, to, subject, body, enc="8bit", extra=""):
    write(name, head(name, frm, to, subject, extra=extra) + textpart(body, enc=enc))

def alt(name, frm, to, subject, text, html, extra=""):
    write(name, head(name, frm, to, subject, extra=extra) + 'Content-Type: multipart/alternative; boundary="=_fw"\r\n\r\n'
          + "--=_fw\r\n" + textpart(text) + "\r\n--=_fw\r\n" + textpart(html, "html") + "\r\n--=_fw--\r\n")

# ---- the inner CA mails (facts as in the CA fixtures) ----
DC = "DigiCert <no-reply@digitalcertvalidation.com>"
DC_SUBJ = "[Action Required] Approve Certificate Request for shop.example.com {48213390}"
DC_APPROVE = "https://www.digicert.com/link/approve?t=Rm9yd2FyZGVkR21haWw"
DC_REJECT = "https://www.digicert.com/link/reject?t=Rm9yd2FyZGVkR21haWw"
dc_body = """Hello,

A certificate request for shop.example.com (order #48213390) needs the approval of
the domain owner. If you approve, click the link below:

%s

If you did not request this certificate, reject it here:
%s

DigiCert Validation Team
""" % (DC_APPROVE, DC_REJECT)

DCJ_SUBJ = "[Domain Approval]:ドメイン名の利用権確認のお願い:www.example.jp {55120991}"
DCJ_APPROVE = "https://www.digicert.co.jp/link/approve?t=VGVuc291SmFwYW4"
dcj_body = """お客様

以下のドメイン名について、証明書の発行申請がありました。
ドメイン名: www.example.jp
オーダー番号: 55120991

承認する場合は次のリンクを開いてください。
%s

DigiCert Japan
""" % DCJ_APPROVE

SC = "Sectigo <noreply_support@trust-provider.com>"
SC_SUBJ = "ORDER #123456790 - Domain Control Validation for www.example.net"
SC_CODE = "F1w2*D3d4-E5f6G7h8*I9j0-K1l2M3n4"
SC_APPROVE = "https://secure.trust-provider.com/products/EnterDCVCode?orderNumber=123456790"
sc_body = """Dear domain administrator,

We received an order for a certificate for www.example.net. To approve it, go to
%s
and enter this validation code:

Your validation code is: %s

If you do not want this certificate, reject it:
https://secure.trust-provider.com/products/RejectDCVCode?orderNumber=123456790&dcvCode=%s
""" % (SC_APPROVE, SC_CODE, SC_CODE)

GS = "GlobalSign <validation@globalsign.com>"
GS_SUBJ = "Domain Control Validation Approval Request for portal.example.com"
gs_body = """Order Number: CE2026112400777
Approve: https://system.globalsign.com/dv/approve?k=Rm9yd2FyZGVkVEI
"""

GSJ = "GMO GlobalSign <dv@gmogs.com>"
GSJ_SUBJ = "【GlobalSign】ドメイン認証 承認のお願い portal.example.jp"
gsj_body = """オーダー番号: JP2026112400789
承認: https://jp.globalsign.com/dv/approve?k=VGVuc291R01P
"""

GD = "GoDaddy <donotreply@godaddy.com>"
GD_SUBJ = "Please approve the SSL certificate request for example.biz"
GD_APPROVE = "https://certs.godaddy.com/anonymous/domainapproval.pki?vk=FWDOUTLOOKHTML0123456789ABCDEFGH"

ALICE = "Alice Example <alice@example.net>"
TARO = "=?utf-8?b?%s?= <taro@example.jp>" % base64.b64encode("山田 太郎".encode()).decode()

# ---- Gmail (English): multipart/alternative, the block in both parts ----
alt("fwd-gmail-digicert", ALICE, "admin@example.com", "Fwd: " + DC_SUBJ,
    """Could you approve this one? It came to my mailbox.

---------- Forwarded message ---------
From: DigiCert <no-reply@digitalcertvalidation.com>
Date: Tue, Nov 24, 2026 at 9:00 AM
Subject: %s
To: <alice@example.net>


%s""" % (DC_SUBJ, dc_body),
    """<div dir="ltr">Could you approve this one? It came to my mailbox.<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">DigiCert</strong> <span dir="auto">&lt;no-reply@digitalcertvalidation.com&gt;</span><br>Date: Tue, Nov 24, 2026 at 9:00 AM<br>Subject: %s<br>To: &lt;alice@example.net&gt;<br></div><br><br><p>A certificate request for shop.example.com (order #48213390) needs the approval of the domain owner.</p><p><a href="%s">Approve</a> | <a href="%s">Reject</a></p></div></div>"""
    % (DC_SUBJ, DC_APPROVE, DC_REJECT))

# ---- a forward of a forward: the CA's block comes after the first forwarder's ----
plain("fwd-nested-gmail-digicert", ALICE, "admin@example.com", "Fwd: Fwd: " + DC_SUBJ,
      """For you, from Bob.

---------- Forwarded message ---------
From: Bob <bob@example.org>
Date: Tue, Nov 24, 2026 at 9:30 AM
Subject: Fwd: %s
To: <alice@example.net>

Not mine, Alice, is it yours?

---------- Forwarded message ---------
From: DigiCert <no-reply@digitalcertvalidation.com>
Date: Tue, Nov 24, 2026 at 9:00 AM
Subject: %s
To: <bob@example.org>


%s""" % (DC_SUBJ, DC_SUBJ, dc_body))

# ---- Gmail (Japanese UI): 転送されたメッセージ, base64 body ----
plain("fwd-gmail-ja-globalsign", TARO, "approver@example.jp", "Fwd: " + GSJ_SUBJ,
      """承認をお願いします。

---------- 転送されたメッセージ ---------
From: GMO GlobalSign <dv@gmogs.com>
Date: 2026年11月24日(火) 18:00
Subject: %s
To: <taro@example.jp>


%s""" % (GSJ_SUBJ, gsj_body), enc="base64")

# ---- Outlook (English): -----Original Message----- with From/Sent/To/Subject ----
plain("fwd-outlook-sectigo", "Bob Admin <bob@example.net>", "certs@example.net", "FW: " + SC_SUBJ,
      """Forwarding for the certificate team.

-----Original Message-----
From: Sectigo <noreply_support@trust-provider.com>
Sent: Tuesday, November 24, 2026 9:00 AM
To: admin@example.net
Subject: %s

%s""" % (SC_SUBJ, sc_body))

# ---- Outlook (Japanese): the 差出人/送信日時/宛先/件名 block under a rule line ----
plain("fwd-outlook-ja-digicert", TARO, "admin@example.jp", "FW: " + DCJ_SUBJ,
      """ご確認ください。

________________________________
差出人: DigiCert <no-reply@digitalcertvalidation.com>
送信日時: 2026年11月24日 18:00
宛先: admin@example.jp
件名: %s

%s""" % (DCJ_SUBJ, dcj_body))

# ---- Outlook HTML only: [mailto:] sender, the approval link only in an href ----
write("fwd-outlook-html-godaddy", head("fwd-outlook-html-godaddy", "Carol Ops <carol@example.biz>", "admin@example.biz", "FW: " + GD_SUBJ)
      + textpart("""<html><body><p>See below.</p>
<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">
<p><b>From:</b> GoDaddy [mailto:donotreply@godaddy.com]<br>
<b>Sent:</b> Tuesday, November 24, 2026 9:00 AM<br>
<b>To:</b> admin@example.biz<br>
<b>Subject:</b> %s</p></div>
<p>To approve the request for example.biz, <a href="%s">click here</a>.</p>
</body></html>""" % (GD_SUBJ, GD_APPROVE), "html"))

# ---- Thunderbird (English): -------- Forwarded Message -------- with tabs ----
plain("fwd-thunderbird-globalsign", "Dave <dave@example.com>", "approver@example.com", "Fwd: " + GS_SUBJ,
      """

-------- Forwarded Message --------
Subject: \t%s
Date: \tTue, 24 Nov 2026 09:00:00 +0000
From: \t%s
To: \tapprover@example.com



%s""" % (GS_SUBJ, GS, gs_body))

# ---- Thunderbird (Japanese): -------- 転送メッセージ -------- ----
plain("fwd-thunderbird-ja-digicert", TARO, "admin@example.jp", "転送: " + DCJ_SUBJ,
      """

-------- 転送メッセージ --------
件名: \t%s
日付: \tTue, 24 Nov 2026 18:00:00 +0900
差出人: \t%s
宛先: \tadmin@example.jp



%s""" % (DCJ_SUBJ, DC, dcj_body))

# ---- Apple Mail (English): Begin forwarded message: ----
plain("fwd-apple-sectigo", "Erin <erin@example.net>", "admin@example.net", "Fwd: " + SC_SUBJ,
      """Sent from my iPhone

Begin forwarded message:

From: Sectigo <noreply_support@trust-provider.com>
Subject: %s
Date: November 24, 2026 at 9:00:00 GMT
To: admin@example.net

%s""" % (SC_SUBJ, sc_body))

# ---- Apple Mail (Japanese): 転送されたメッセージ: ----
plain("fwd-apple-ja-globalsign", TARO, "approver@example.jp", "Fwd: " + GSJ_SUBJ,
      """iPhoneから送信

転送されたメッセージ:

差出人: GMO GlobalSign <dv@gmogs.com>
件名: %s
日付: 2026年11月24日 18:00:00 JST
宛先: approver@example.jp

%s""" % (GSJ_SUBJ, gsj_body))

# ---- forwarded as an attachment (message/rfc822) ----
inner = head("fwd-attached-inner", DC, "alice@example.net", DC_SUBJ, date="Tue, 24 Nov 2026 09:00:00 +0000") + textpart(dc_body)
write("fwd-attached-digicert", head("fwd-attached-digicert", ALICE, "admin@example.com", "Fwd: " + DC_SUBJ)
      + 'Content-Type: multipart/mixed; boundary="=_att"\r\n\r\n--=_att\r\n'
      + textpart("The DigiCert mail is attached.\n") + "\r\n--=_att\r\n"
      + 'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="approve.eml"\r\n\r\n'
      + inner + "\r\n--=_att--\r\n")

# ---- re-sent by a forwarding service under its own From ----
plain("fwd-service-via-sectigo", '"Sectigo via Relay" <relay@mailrelay.example>', "admin@example.net", SC_SUBJ, sc_body,
      extra="Reply-To: %s\r\nX-Forwarded-For: admin@example.net\r\n" % SC)
plain("fwd-service-original-globalsign", '"Privacy Forwarding" <fwd-7f3a@privacy-forward.example>', "approver@example.com", GS_SUBJ, gs_body,
      extra="X-Original-From: %s\r\n" % GS)

# ---- a forward that shows no original sender: never joins the CA's request ----
plain("fwd-subject-only-sectigo", "Bob Admin <bob@example.net>", "certs@example.net", "FW: " + SC_SUBJ,
      "See the text below.\n\n" + sc_body)

# ---- phishing that only pretends to be a forward ----
plain("phish-fwd-fake-block-lookalike-link", '"IT Helpdesk" <helpdesk@evil-support.example>', "admin@example.com", "Fwd: " + DC_SUBJ,
      """Please approve this at once.

---------- Forwarded message ---------
From: DigiCert <no-reply@digitalcertvalidation.com>
Date: Tue, Nov 24, 2026 at 9:00 AM
Subject: %s
To: <admin@example.com>

Approve: https://digicert.com.approve-now.example/link/approve?t=ZmFrZQ
""" % DC_SUBJ)
plain("phish-fwd-fake-block-foreign-from", '"IT Helpdesk" <helpdesk@evil-support.example>', "admin@example.com", "Fwd: " + DC_SUBJ,
      """---------- Forwarded message ---------
From: DigiCert <no-reply@digicert-validation.example>
Date: Tue, Nov 24, 2026 at 9:00 AM
Subject: %s
To: <admin@example.com>

Approve: %s
""" % (DC_SUBJ, DC_APPROVE))
plain("phish-fwd-fake-block-ca-from", '"IT Helpdesk" <helpdesk@evil-support.example>', "admin@example.com", "Fwd: " + DC_SUBJ,
      """---------- Forwarded message ---------
From: DigiCert <no-reply@digitalcertvalidation.com>
Date: Tue, Nov 24, 2026 at 9:00 AM
Subject: %s
To: <admin@example.com>

Approve: %s
""" % (DC_SUBJ, DC_APPROVE))
plain("phish-fwd-via-display", '"DigiCert via Secure Relay" <alerts@evil-support.example>', "admin@example.com", DC_SUBJ,
      "Approve: https://digicert-approvals.example/link/approve?t=dmlh\n",
      extra="Reply-To: %s\r\n" % DC)
plain("phish-fwd-ca-display-forwarder", '"DigiCert Support" <digicert.support@mail-free.example>', "admin@example.com", "Fwd: " + DC_SUBJ,
      """---------- Forwarded message ---------
From: DigiCert <no-reply@digitalcertvalidation.com>
Date: Tue, Nov 24, 2026 at 9:00 AM
Subject: %s
To: <admin@example.com>

Approve: %s
""" % (DC_SUBJ, DC_APPROVE))
