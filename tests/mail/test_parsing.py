"""The pure parts: reading bytes, cleaning HTML, trimming quotes, the rules, the keys."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from soutien.channels.mail import rules
from soutien.channels.mail.content import html_to_text, render_html, sanitize_html, trim_quoted
from soutien.channels.mail.parsing import Unreadable, decode_bytes, identity, parse
from soutien.outbound import message_ids

BASIC = b"""From: Marc <marc@x.example>
To: support@soutien.example
Subject: Hello
Message-ID: <a@x.example>
Content-Type: text/plain; charset=utf-8

Body
"""


def test_identity_keys_on_message_id_and_sender():
    a = identity(BASIC)
    assert a.message_id == "a@x.example"
    assert not a.derived
    relayed = identity(b"Received: by relay; Fri, 27 Nov 2026\n" + BASIC)
    assert relayed.key == a.key
    other_sender = identity(BASIC.replace(b"marc@x.example", b"eve@evil.example"))
    # The same Message-ID from someone else is another message: nobody can suppress mail
    # from a client by sending first with that client's Message-ID.
    assert other_sender.key != a.key


def test_a_missing_message_id_is_derived_from_what_every_copy_shares():
    bare = BASIC.replace(b"Message-ID: <a@x.example>\n", b"")
    one = identity(bare)
    two = identity(b"Received: from mx2; Fri, 27 Nov 2026\nDelivered-To: b@x\n" + bare)
    assert one.derived
    assert one.message_id == two.message_id
    assert identity(bare.replace(b"Body", b"Other body")).message_id != one.message_id


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_an_identity_and_never_an_exception(data):
    ident = identity(data)
    assert len(ident.key) == 64
    try:
        parsed = parse(data)
    except Unreadable:
        return
    for text in (parsed.subject, parsed.text, parsed.from_address, parsed.html):
        text.encode("utf-8")
        assert "\x00" not in text


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=200),
    st.sampled_from(["utf-8", "iso-8859-1", "x-bogus", "utf-7", "", "windows-1252"]),
)
def test_headers_and_bodies_in_any_charset_decode_to_clean_text(text, charset):
    raw = (
        f"From: {text[:40]} <a@x.example>\nSubject: =?{charset or 'utf-8'}?Q?{text[:30]}?=\n"
        f"Content-Type: text/plain; charset={charset}\n\n"
    ).encode("utf-8", "surrogatepass") + text.encode("utf-8", "surrogatepass")
    parsed = parse(raw)
    parsed.subject.encode("utf-8")
    parsed.text.encode("utf-8")


def test_decode_bytes_prefers_the_declared_charset_then_utf8_then_cp1252():
    assert decode_bytes("é".encode("latin-1"), "iso-8859-1") == "é"
    assert decode_bytes("é".encode(), "us-ascii") == "é"
    assert decode_bytes("é".encode("cp1252"), "x-unknown") == "é"
    assert decode_bytes(b"caf\xc3\xa9 \x80", "utf-8") == "café \ufffd"


def test_dates_become_aware_and_a_broken_date_is_a_defect_not_an_error():
    parsed = parse(BASIC.replace(b"Subject", b"Date: Tue, 01 Dec 2026 10:15:00 -0500\nSubject"))
    assert parsed.date == datetime(2026, 12, 1, 15, 15, tzinfo=UTC)
    broken = parse(BASIC.replace(b"Subject", b"Date: le premier decembre\nSubject"))
    assert broken.date is None
    assert "unreadable Date header" in broken.defects


def test_sanitized_html_keeps_the_text_and_nothing_that_runs():
    html = sanitize_html(
        '<p style="color:red;position:absolute" onclick="x()">Hi <b>there</b></p>'
        "<script>alert(1)</script><svg><script>alert(2)</script></svg>"
        '<a href="javascript:alert(3)">a</a><img src="data:image/svg+xml;base64,PHN2Zz4=">'
        '<img src="cid:logo@x"><img src="https://t.example/p.gif"><iframe src="//x"></iframe>'
    )
    assert '<p style="color:red">Hi <b>there</b></p>' in html
    for bad in ("script", "svg", "javascript", "data:", "onclick", "position", "iframe"):
        assert bad not in html
    shown = render_html(html, {"logo@x": "/fichiers/3/"})
    assert 'src="/fichiers/3/"' in shown.html
    assert "t.example" not in shown.html
    assert shown.remote_images_blocked == 1
    assert "t.example" in render_html(html, {}, remote_images=True).html


def test_html_to_text_keeps_blocks_lists_and_quotes():
    text = html_to_text(
        "<html><head><style>p{}</style><title>T</title></head><body><p>Un&nbsp;deux</p>"
        "<ul><li>a</li><li>b</li></ul><blockquote><p>vieux</p></blockquote>trois<br>quatre"
        "</body></html>"
    )
    assert text == "Un\xa0deux\n- a\n- b\n> vieux\ntrois\nquatre"


def test_trim_quoted_cuts_the_history_and_keeps_inline_answers():
    assert (
        trim_quoted("Merci!\n\nOn Tue, Dec 1, 2026 at 10:15 AM Soutien <\ns@x> wrote:\n> old")
        == "Merci!"
    )
    assert trim_quoted("Oui.\n\n-----Original Message-----\nFrom: x") == "Oui."
    assert trim_quoted("OK\n##- Répondez au-dessus de cette ligne -##\nold") == "OK"
    assert trim_quoted("Ok\n\nDe : Soutien\nEnvoyé : mardi\nÀ : Marc\n\nold") == "Ok"
    inline = "> Avez-vous redémarré?\nOui, deux fois.\n> Et vidé le cache?\nAussi."
    assert trim_quoted(inline) == inline
    assert trim_quoted("> only a quote") == "> only a quote"


def test_noise_rules():
    def noise(**headers: str) -> str:
        lines = "".join(f"{k.replace('_', '-')}: {v}\n" for k, v in headers.items())
        parsed = parse(lines.encode() + BASIC)
        return rules.noise_reason(parsed, own_addresses={"support@soutien.example"})

    assert noise() == ""
    assert noise(Auto_Submitted="no") == ""
    assert "Auto-Submitted" in noise(Auto_Submitted="auto-replied")
    assert "Precedence" in noise(Precedence="bulk")
    assert "Return-Path" in noise(Return_Path="<>")
    assert noise(Return_Path="<marc@x.example>") == ""
    assert "X-Loop" in noise(X_Loop="support@soutien.example")
    own = parse(BASIC.replace(b"Marc <marc@x.example>", b"support@soutien.example"))
    assert rules.noise_reason(own, own_addresses={"support@soutien.example"})
    fax = parse(b"Auto-Submitted: auto-generated\nPrecedence: bulk\n" + BASIC)
    assert rules.noise_reason(fax, own_addresses=set(), fax_gateway=True) == ""


def test_request_numbers_and_fax_numbers():
    assert rules.subject_number("RE: [#1234] Menu") == 1234
    assert rules.subject_number("Facture #2026-11") is None
    assert rules.fax_number("Fax from 514-555-0199 (2 pages)", "") == "5145550199"
    assert (
        rules.fax_number("Nouvelle télécopie", "To: 514 555 0100\nFrom: +1 (418) 555-0123")
        == "4185550123"
    )
    assert rules.fax_number("Fax", "Numéro de l'appelant : 1-819-555-0111") == "8195550111"
    assert rules.fax_number("Fax 2 pages", "") == ""


def test_thread_index_starts_the_same_for_every_email_of_a_request():
    start = datetime(2026, 12, 1, 15, 15, tzinfo=UTC)
    first = message_ids.thread_index(7, start, start, 0)
    third = message_ids.thread_index(7, start, datetime(2026, 12, 2, tzinfo=UTC), 2)
    import base64

    a, c = base64.b64decode(first), base64.b64decode(third)
    assert len(a) == 22
    assert len(c) == 22 + 2 * 5
    assert c[:22] == a
    assert base64.b64decode(message_ids.thread_index(8, start, start, 0))[6:22] != a[6:22]
