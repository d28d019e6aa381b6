"""The one German sort key for names (DIN 5007-1, academic titles ignored)."""

import pytest

from eventsys.documents.names import name_sort_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Müller", "muller"),
        ("Straße", "strasse"),
        ("ÖZDEMIR", "ozdemir"),
        ("Schmidt, Dr. Anna", "schmidt, anna"),
        ("Schmidt, Prof. Dr.-Ing. Anna", "schmidt, anna"),
        ("Dr. h.c. Jürgen Öl", "jurgen ol"),
        ("Dipl.-Ing. Karl Brandt", "karl brandt"),
        ("Drews", "drews"),
        ("St. Lucia", "st. lucia"),
    ],
)
def test_umlauts_sort_with_their_base_letter_and_titles_do_not_count(name, key):
    assert name_sort_key(name) == key


def test_a_list_sorts_as_german_readers_expect():
    names = ["Zimmermann, Anna", "Schmidt, Prof. Dr. Bernd", "Özdemir, Cem", "Schmidt, Anna"]
    assert sorted(names, key=name_sort_key) == [
        "Özdemir, Cem",
        "Schmidt, Anna",
        "Schmidt, Prof. Dr. Bernd",
        "Zimmermann, Anna",
    ]
