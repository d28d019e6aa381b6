"""The one way names are sorted: as German lists sort them."""

import re
import unicodedata

# Academic titles and degrees written before a name ("Prof. Dr.-Ing.", "Dr. h.c.", "Dipl.-Ing.");
# they do not count when names are sorted.
_ACADEMIC_TITLE = re.compile(
    r"(?<![\w.-])(?:prof|dr|dipl|apl|priv|doz|hon|h\.\s?c|mult|rer|nat|pol|oec|med|dent|vet|phil"
    r"|jur|theol|habil|ing|sc)\.(?:-[^\W\d_]+\.)*(?![\w.])",
    re.IGNORECASE,
)


def name_sort_key(name: str) -> str:
    """A name as German lists compare it (DIN 5007-1): Ä as A, ß as ss, case ignored, and
    academic titles ("Prof. Dr.") left out, so "Schmidt, Dr. Anna" sorts as "Schmidt, Anna"."""
    without_titles = " ".join(_ACADEMIC_TITLE.sub(" ", name).split()).replace(" ,", ",")
    decomposed = unicodedata.normalize("NFKD", without_titles.strip(", "))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
