"""Certificate files a merchant uploaded for passports, stored by the SHA-256 of their bytes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, utcnow


class CertificateFile(ShopScoped, Base):
    __tablename__ = "certificate_files"
    # Content-addressed: the same file uploaded twice is one row, and its address names its bytes.
    __table_args__ = (UniqueConstraint("shop_id", "sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
