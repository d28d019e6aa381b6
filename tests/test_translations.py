"""Every translatable string has its German and its English text."""

import re

import pytest

from tools.catalogues import LANGUAGES, extract, missing_translations, read_catalogue

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_no_string_lacks_its_german_or_english_text():
    gaps = missing_translations()
    report = "\n".join(f"{language}: {text}" for language, texts in gaps.items() for text in texts)
    assert not any(gaps.values()), (
        "untranslated strings (run `python tools/catalogues.py update`, then translate):\n" + report
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    """A translation that drops or renames %(name)s would crash or mislead at run time."""
    wanted = {message.id for message in extract() if message.id}
    for message in read_catalogue(language):
        if message.id not in wanted or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[-1]
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) <= set(PLACEHOLDER.findall(source)), (
                f"{language}: {target!r} uses placeholders that {source!r} does not give"
            )
            if not isinstance(message.id, tuple):
                assert set(PLACEHOLDER.findall(target)) == set(PLACEHOLDER.findall(source)), (
                    f"{language}: {target!r} loses a placeholder of {source!r}"
                )
