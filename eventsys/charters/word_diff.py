"""Comparing two texts word by word, as segments of equal, deleted and inserted text; the
charter diff (`diff`) uses it for every clause, chapter title and introduction."""

import difflib
import re
from enum import StrEnum


class SegmentKind(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


Segment = tuple[SegmentKind, str]

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[Segment]:
    """`old` → `new` as segments of equal, deleted and inserted text, word by word (spaces are
    tokens too, so joining the equal and deleted parts gives `old`, the equal and inserted ones
    `new`). Changes separated only by a space are shown as one."""
    old_tokens, new_tokens = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    steps = [
        (tag, "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    # A lone space between two changes reads better as part of one change than as "equal".
    for index in range(1, len(steps) - 1):
        tag, old_text, new_text = steps[index]
        between_changes = steps[index - 1][0] != "equal" and steps[index + 1][0] != "equal"
        if tag == "equal" and old_text.isspace() and between_changes:
            steps[index] = ("replace", old_text, new_text)
    segments: list[Segment] = []
    deleted, inserted = "", ""
    for tag, old_text, new_text in steps:
        if tag == "equal":
            segments += _change_segments(deleted, inserted)
            deleted, inserted = "", ""
            segments.append((SegmentKind.EQUAL, old_text))
        else:
            deleted += old_text
            inserted += new_text
    segments += _change_segments(deleted, inserted)
    return segments


def has_changes(segments: list[Segment]) -> bool:
    return any(kind is not SegmentKind.EQUAL for kind, _text in segments)


def _change_segments(deleted: str, inserted: str) -> list[Segment]:
    segments: list[Segment] = []
    if deleted:
        segments.append((SegmentKind.DELETE, deleted))
    if inserted:
        segments.append((SegmentKind.INSERT, inserted))
    return segments


def whole(kind: SegmentKind, text: str) -> list[Segment]:
    """All of `text` as one segment of `kind`; nothing for an empty text."""
    return [(kind, text)] if text else []
