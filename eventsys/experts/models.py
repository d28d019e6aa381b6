"""Organisations, experts and working groups."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.documents.names import name_sort_key
from eventsys.experts.salutations import Salutation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.localtime import platform_zone_name

SORT_KEY_LENGTH = 250


def expert_sort_key(last_name: str, first_name: str) -> str:
    """The key experts are ordered by: surname, then given name, as German lists compare them
    (DIN 5007-1: umlauts as their base letter, ß as ss, case and academic titles ignored).
    Lists sorted in Python use the same key, so that they agree with the database's order."""
    return name_sort_key(f"{last_name}, {first_name}")[:SORT_KEY_LENGTH]


working_group_members = sa.Table(
    "working_group_members",
    db.metadata,
    sa.Column(
        "working_group_id",
        sa.ForeignKey("working_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("expert_id", sa.ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group"), index=True
    )
    # ISO 3166 alpha-2 code; required for international partners, who each represent a country.
    country: Mapped[str | None] = mapped_column(sa.String(2))

    experts: Mapped[list["Expert"]] = relationship(back_populates="organisation")

    __table_args__ = (
        sa.CheckConstraint(
            "stakeholder_group <> 'international_partners' OR country IS NOT NULL",
            name="partner_has_country",
        ),
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class Expert(db.Model):
    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    salutation: Mapped[Salutation] = mapped_column(
        enum_column(Salutation, "expert_salutation"), default=Salutation.NONE
    )
    title: Mapped[str] = mapped_column(sa.String(50), default="")
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    # The name as German lists sort it (`expert_sort_key`), kept up to date on every save, so
    # that long lists are ordered by the database. Compared byte by byte on PostgreSQL too
    # (collation "C"), as Python and SQLite compare it: a language collation would skip the
    # comma and put "Kohlera, B" before "Kohler, A".
    sort_key: Mapped[str] = mapped_column(
        sa.String(SORT_KEY_LENGTH).with_variant(
            sa.String(SORT_KEY_LENGTH, collation="C"), "postgresql"
        ),
        default="",
        index=True,
    )
    # Stored in lower case so that uniqueness holds regardless of letter case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    function: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(2), default="de")
    timezone: Mapped[str] = mapped_column(sa.String(64), default=platform_zone_name)
    deputy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # The secret part of the expert's calendar subscription address; None when revoked.
    feed_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="experts")
    deputy: Mapped["Expert | None"] = relationship(remote_side=[id])
    working_groups: Mapped[list["WorkingGroup"]] = relationship(
        secondary=working_group_members,
        back_populates="members",
        order_by="WorkingGroup.name",
    )

    __table_args__ = (
        sa.CheckConstraint("language IN ('de', 'en')", name="expert_language"),
        sa.CheckConstraint("email = lower(email)", name="expert_email_lower"),
        sa.CheckConstraint("deputy_id IS NULL OR deputy_id <> id", name="not_own_deputy"),
    )

    def __repr__(self) -> str:
        return f"<Expert {self.id} {self.email}>"

    @property
    def full_name(self) -> str:
        """Title, first and last name, as written on a name badge."""
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@sa.event.listens_for(Expert, "before_insert")
@sa.event.listens_for(Expert, "before_update")
def _keep_sort_key(mapper, connection, expert: Expert) -> None:
    """Every save writes the key from the name as it is now, whoever changed the name."""
    expert.sort_key = expert_sort_key(expert.last_name or "", expert.first_name or "")


class WorkingGroup(db.Model):
    __tablename__ = "working_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    members: Mapped[list[Expert]] = relationship(
        secondary=working_group_members,
        back_populates="working_groups",
        order_by=(Expert.sort_key, Expert.id),
    )

    def __repr__(self) -> str:
        return f"<WorkingGroup {self.id} {self.name!r}>"
