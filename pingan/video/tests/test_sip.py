"""The SIP reader against the messages of docs/reference (a real device's shape)
and the digest against the worked vectors, including a real sipp 3.6.1 run."""

import pytest

from pingan.video import sip

REGISTER = (
    b"REGISTER sip:34020000002000000001@3402000000 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.168.1.64:5060;rport;branch=z9hG4bK2047123904\r\n"
    b"From: <sip:34020000001320000001@3402000000>;tag=2043466181\r\n"
    b"To: <sip:34020000001320000001@3402000000>\r\n"
    b"Call-ID: 1011047669\r\n"
    b"CSeq: 2 REGISTER\r\n"
    b"Contact: <sip:34020000001320000001@192.168.1.64:5060>\r\n"
    b'Authorization: Digest username="34020000001320000001",realm="3402000000",'
    b'nonce="9bd055d5ca7e4bb4c7bd1e0c4e5b64fd",uri="sip:34020000002000000001@3402000000",'
    b'response="d721c0424a1d8bdf961d21ffc1a04fbf",algorithm=MD5,cnonce="0a4f113b",qop=auth,nc=00000001\r\n'
    b"Max-Forwards: 70\r\n"
    b"Expires: 3600\r\n"
    b"Content-Length: 0\r\n\r\n"
)
KEEPALIVE_XML = (
    '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n'
    "<SN>43</SN>\r\n<DeviceID>34020000001320000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n"
).encode("gb2312")


def test_a_register_is_read_with_its_authorization():
    message = sip.parse(REGISTER)
    assert (message.method, message.cseq) == ("REGISTER", (2, "REGISTER"))
    assert sip.uri_user(message.get("From")) == "34020000001320000001"
    params = sip.header_params(message.get("Authorization"))
    assert params["response"] == "d721c0424a1d8bdf961d21ffc1a04fbf" and params["qop"] == "auth"
    assert message.get("expires") == "3600"


def test_compact_headers_folded_lines_and_a_gb2312_body():
    data = (
        b"MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\n"
        b"v: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1\r\n"
        b"f: <sip:34020000001320000001@3402000000>;tag=1\r\n"
        b"t: <sip:34020000002000000001@3402000000>\r\n"
        b"i: 77\r\nCSeq: 20 MESSAGE\r\nc: Application/MANSCDP+xml\r\n"
        b"User-Agent: IPC\r\n  V5.5\r\n"
        b"l: " + str(len(KEEPALIVE_XML)).encode() + b"\r\n\r\n" + KEEPALIVE_XML + b"trailing"
    )
    message = sip.parse(data)
    assert message.get("Call-ID") == "77" and message.get("User-Agent") == "IPC V5.5"
    assert message.body == KEEPALIVE_XML  # exactly Content-Length bytes


def test_a_response_is_written_and_read_back():
    reply = sip.Message(
        status=200,
        reason="OK",
        headers=[
            ("Via", "SIP/2.0/UDP x"),
            ("From", "a"),
            ("To", "b"),
            ("Call-ID", "1"),
            ("CSeq", "1 REGISTER"),
        ],
    )
    again = sip.parse(reply.to_bytes())
    assert (again.status, again.reason, again.get("Content-Length")) == (200, "OK", "0")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\xff garbage",
        b"HELLO world\r\n\r\n",
        b"REGISTER sip:x SIP/2.0\r\nVia: a\r\n\r\n",  # no From, To, Call-ID, CSeq
        REGISTER.replace(b"CSeq: 2 REGISTER", b"CSeq: two"),
        REGISTER.replace(b"Content-Length: 0", b"Content-Length: 99"),
        REGISTER.replace(b"\r\n\r\n", b"\r\n"),
        b"A" * (sip.MAX_MESSAGE + 1),
    ],
)
def test_garbage_is_a_sip_error_never_anything_else(data):
    with pytest.raises(sip.SipError):
        sip.parse(data)


def test_the_digest_matches_the_worked_vectors():
    common = dict(
        username="34020000001320000001",
        realm="3402000000",
        password="12345678",
        method="REGISTER",
        uri="sip:34020000002000000001@3402000000",
        nonce="9bd055d5ca7e4bb4c7bd1e0c4e5b64fd",
    )
    assert (
        sip.digest(**common, nc="00000001", cnonce="0a4f113b", qop="auth")
        == "d721c0424a1d8bdf961d21ffc1a04fbf"
    )
    assert sip.digest(**common) == "362f8bb15be7bd42b3d5c4e93e8c5b5b"
