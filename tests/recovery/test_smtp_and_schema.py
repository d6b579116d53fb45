"""SMTP over STARTTLS against a real server, URL forms, and our discount input against Shopify's schema."""

from __future__ import annotations

import gzip
import json
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from graphql import build_client_schema, parse
from graphql.execution.values import get_variable_values
from graphql.language import OperationDefinitionNode

from app.mail.smtp import Mailer, SmtpNotConfigured, TransientFailure, parse_url
from app.recovery import discounts
from app.shopify.admin_api import load_operation
from tests.support.smtp import smtp_server

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "admin_2026-07.json.gz"


def _tls(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False).sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    return server, client


def _mail(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "shop@example.com", to, "hello"
    msg.set_content("hi")
    return msg


def test_starttls_is_used_and_verified(tmp_path):
    server_ctx, client_ctx = _tls(tmp_path)
    with smtp_server(tls_context=server_ctx) as (url, inbox):
        with Mailer(parse_url(url), context=client_ctx) as mailer:
            mailer.send(_mail("a@example.com"))
            mailer.send(_mail("b@example.com"))  # the same connection, still encrypted
        assert [m["To"] for m in inbox.messages] == ["a@example.com", "b@example.com"]
        # A client that does not trust the certificate refuses to send rather than send in clear.
        with pytest.raises(TransientFailure), Mailer(parse_url(url)) as mailer:
            mailer.send(_mail("c@example.com"))
        assert len(inbox.messages) == 2


def test_smtp_url_forms():
    plain = parse_url("smtp://user%40x:p%3Ass@mail.example:2525?starttls=require")
    assert (plain.host, plain.port, plain.username, plain.password, plain.starttls) == (
        "mail.example", 2525, "user@x", "p:ss", "require")
    assert (parse_url("smtps://mail.example").port, parse_url("smtps://mail.example").implicit_tls) == (465, True)
    for bad in (None, "", "http://mail.example", "smtp://mail.example?starttls=maybe"):
        with pytest.raises(SmtpNotConfigured):
            parse_url(bad)
    with pytest.raises(TransientFailure), Mailer(parse_url("smtp://127.0.0.1:9?starttls=off")) as mailer:
        mailer.send(_mail("x@example.com"))  # nothing listens: retried later, not lost


def test_the_discount_input_we_send_is_valid_for_the_admin_schema():
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        schema = build_client_schema(json.load(fh)["data"], assume_valid=True)
    (op,) = [d for d in parse(load_operation("DiscountCodeBasicCreate")).definitions
             if isinstance(d, OperationDefinitionNode)]
    variables = discounts.variables("BACK-ABCD2345", 42, 15, datetime(2026, 3, 3, tzinfo=UTC), 3)
    coerced = get_variable_values(schema, op.variable_definitions, variables)
    assert not isinstance(coerced, list), [e.message for e in coerced]
    sent = variables["basicCodeDiscount"]
    assert (sent["usageLimit"], sent["appliesOncePerCustomer"], sent["endsAt"]) == (1, True, "2026-03-06T00:00:00Z")
    assert sent["context"] == {"customers": {"add": ["gid://shopify/Customer/42"]}}
