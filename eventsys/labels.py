"""Enums whose members carry a title for people, written next to each member.

    class Role(LabelledEnum):
        ADMIN = "admin", _l("Administrator")

`Role.ADMIN` is the string "admin" (stored in the database, checked by its constraint),
`Role.ADMIN.label` is "Administrator" in the current language, and `Role.ADMIN.lazy_label` the
lazy string that is translated when it is shown. Like Indico's RichEnum, the
titles live in the class, not in a table beside it.
"""

import enum


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members are declared as `NAME = value, title`; `title` is a lazy
    translation (`_l`)."""

    def __new__(cls, value: str, title: object):
        member = str.__new__(cls, value)
        member._value_ = value
        member._title = title
        return member

    @property
    def label(self) -> str:
        """The member's title in the current language."""
        return str(self._title)

    @property
    def lazy_label(self):
        """The member's title, translated only when it is shown: for text rendered later in
        another language (documents, mail)."""
        return self._title
