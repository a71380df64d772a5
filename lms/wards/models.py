"""Ward and ResidentialGroup: the places that run and group the classes."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow

# Since 1 July 2025 the commune level has three kinds and there is no district level
# (research §5), so a ward belongs straight to its province.
WARD_KINDS = ("phuong", "xa", "dac_khu")
# Each ward keeps its own list: names vary (tổ dân phố, thôn, khu phố…), and a market is a group too.
GROUP_KINDS = ("to_dan_pho", "thon", "cho")


class Ward(db.Model):
    __tablename__ = "ward"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(16), default="phuong")
    province: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who signs the ward's printed certificates, and their title ("Chủ tịch UBND phường"); set by
    # the coordinator. Empty: the certificate leaves the lines blank for a hand signature.
    signer_name: Mapped[str | None] = mapped_column(sa.String(120))
    signer_title: Mapped[str | None] = mapped_column(sa.String(120))

    groups: Mapped[list[ResidentialGroup]] = relationship(
        back_populates="ward", order_by="ResidentialGroup.name", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("province", "name", name="uq_ward_province_name"),
        sa.CheckConstraint(f"kind IN {WARD_KINDS!r}", name="kind"),
    )

    def __repr__(self) -> str:
        return f"<Ward {self.name}>"


class ResidentialGroup(db.Model):
    __tablename__ = "residential_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(sa.ForeignKey("ward.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(16), default="to_dan_pho")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A retired group is kept (people and reports still name it) but offered for nothing new.
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    ward: Mapped[Ward] = relationship(back_populates="groups")

    __table_args__ = (
        sa.UniqueConstraint("ward_id", "name", name="uq_residential_group_ward_name"),
        sa.CheckConstraint(f"kind IN {GROUP_KINDS!r}", name="kind"),
    )
