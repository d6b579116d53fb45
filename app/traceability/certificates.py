"""Certificate files for passports: PDF, PNG or JPEG up to MAX_BYTES (4 MB), kept by the SHA-256 of their bytes.

The address a record links to ends in that hash, and the hash chain signs the address, so a passport's
signature covers the exact file: anyone can download it and compare its SHA-256 with the link. The type
is read from the file's first bytes, never from the name or the browser's claim, and files are always
served as downloads with `nosniff`, so an upload can never run as a page on the shop's domain.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import CertificateFile
from app.traceability import urls
from app.translatable import N_

MAX_BYTES = 4 * 1024 * 1024  # under the app-wide 5 MB request limit, so an oversize file gets our message
_MAGIC = ((b"%PDF-", "application/pdf", "pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
          (b"\xff\xd8\xff", "image/jpeg", "jpg"))
_HASH = re.compile(r"^[0-9a-f]{64}$")


class BadFile(ValueError):
    """Why an upload was refused; safe to show."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    url: str
    filename: str
    content_type: str
    size: int


def sniff(data: bytes) -> tuple[str, str]:
    for magic, content_type, extension in _MAGIC:
        if data.startswith(magic):
            return content_type, extension
    raise BadFile(N_("Upload a PDF, PNG or JPEG file."))


def clean_name(name: str | None, extension: str) -> str:
    """A plain ASCII file name for the download (the merchant's own name, folded), with the real extension."""
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", folded.rsplit(".", 1)[0]).strip("-.")[:80] or "certificate"
    return f"{stem}.{extension}"


def store(session: Session, shop_id: int, shop_domain: str, data: bytes, name: str | None) -> Stored:
    if not data:
        raise BadFile(N_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise BadFile(N_("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024)))
    content_type, extension = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    filename = clean_name(name, extension)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(CertificateFile).values(
        shop_id=shop_id, sha256=digest, content_type=content_type, filename=filename, size=len(data), data=data,
    ).on_conflict_do_nothing(index_elements=["shop_id", "sha256"]))
    return Stored(digest, certificate_url(shop_domain, digest), filename, content_type, len(data))


def certificate_url(shop_domain: str, digest: str) -> str:
    return f"{urls.storefront_base(shop_domain)}/certificates/{digest}"


def load(session: Session, shop_id: int, digest: str) -> CertificateFile | None:
    if not _HASH.match(digest):
        return None
    return session.scalar(select(CertificateFile).where(CertificateFile.shop_id == shop_id,
                                                        CertificateFile.sha256 == digest))
