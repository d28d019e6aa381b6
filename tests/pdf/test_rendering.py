"""HTML to PDF: metadata, tags, A4, page numbers, watermark, PDF/A-3 with attachments, limits."""

import json

import pytest
from pypdf.generic import NameObject

from eventsys.markup import MAX_NESTING_DEPTH, MarkdownTooDeep, render_markdown
from eventsys.pdf import (
    MAX_HTML_LENGTH,
    AttachmentRelationship,
    DocumentTooComplex,
    DocumentTooLarge,
    PdfAttachment,
    render_pdf,
)
from eventsys.pdf import fetcher as fetcher_module
from tests.pdf.pdf_contents import embedded_files, page_texts, reader

A4_POINTS = (595.28, 841.89)


def document(
    body: str = "<p>Inhalt</p>",
    *,
    lang: str = "de",
    title: str = "Protokoll der 3. Sitzung",
    body_attributes: str = 'data-page-label="Seite" data-page-of-label="von"',
) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<title>{title}</title><meta name="author" content="Geschäftsstelle"></head>'
        f"<body {body_attributes}>{body}</body></html>"
    )


def long_body(paragraphs: int = 40) -> str:
    sentence = "Die Sachverständigen erörtern den Entwurf ausführlich und einvernehmlich. "
    return "".join(f"<p>Absatz {number}. {sentence * 8}</p>" for number in range(paragraphs))


def test_metadata_comes_from_the_html():
    pdf = reader(render_pdf(document()))

    assert pdf.metadata.title == "Protokoll der 3. Sitzung"
    assert pdf.metadata.author == "Geschäftsstelle"
    assert pdf.trailer["/Root"]["/Lang"] == "de"


def test_is_tagged_for_accessibility():
    catalog = reader(render_pdf(document("<h1>Protokoll</h1><p>Text</p>"))).trailer["/Root"]

    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True


def test_pages_are_a4():
    pdf = reader(render_pdf(document(long_body())))

    assert len(pdf.pages) > 1
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 2), round(height, 2)) == A4_POINTS


@pytest.mark.parametrize(
    ("lang", "labels", "page_label", "of_label"),
    [
        ("de", 'data-page-label="Seite" data-page-of-label="von"', "Seite", "von"),
        ("en", 'data-page-label="Page" data-page-of-label="of"', "Page", "of"),
    ],
)
def test_every_page_says_which_of_how_many_it_is(lang, labels, page_label, of_label):
    texts = page_texts(render_pdf(document(long_body(), lang=lang, body_attributes=labels)))

    count = len(texts)
    assert count >= 3
    for number, text in enumerate(texts, start=1):
        assert f"{page_label} {number} {of_label} {count}" in text


def test_a_draft_has_the_watermark_on_every_page():
    attributes = 'class="draft" data-watermark="ENTWURF" data-page-label="Seite"'
    texts = page_texts(render_pdf(document(long_body(), body_attributes=attributes)))

    assert len(texts) >= 3
    assert all("ENTWURF" in text for text in texts)


def test_the_watermark_word_comes_from_the_template():
    attributes = 'class="draft" data-watermark="DRAFT"'
    texts = page_texts(render_pdf(document(long_body(), lang="en", body_attributes=attributes)))

    assert all("DRAFT" in text for text in texts)
    assert not any("ENTWURF" in text for text in texts)


def test_a_final_document_has_no_watermark():
    # The word is there, but without the draft class nothing shows it.
    attributes = 'data-watermark="ENTWURF" data-page-label="Seite"'
    texts = page_texts(render_pdf(document(long_body(), body_attributes=attributes)))

    assert len(texts) >= 3
    assert not any("ENTWURF" in text for text in texts)


MINUTES_JSON = json.dumps({"session": 3, "items": [{"title": "Bericht", "text": "Ä ö ü"}]})


def test_archival_pdf_is_pdf_a_3_with_the_minutes_attached():
    attachment = PdfAttachment(
        "minutes.json",
        MINUTES_JSON.encode(),
        description="Das Protokoll als Daten",
        relationship=AttachmentRelationship.DATA,
    )
    pdf = render_pdf(document("<h1>Protokoll</h1>"), archival=True, attachments=[attachment])

    parsed = reader(pdf)
    assert parsed.xmp_metadata.pdfaid_part == "3"
    assert parsed.xmp_metadata.pdfaid_conformance == "U"
    assert embedded_files(pdf) == {"minutes.json": [MINUTES_JSON.encode()]}
    catalog = parsed.trailer["/Root"]
    associated = [reference.get_object() for reference in catalog["/AF"]]
    assert len(associated) == 1
    file_spec = associated[0]
    assert file_spec["/AFRelationship"] == NameObject("/Data")
    assert file_spec["/Desc"] == "Das Protokoll als Daten"
    assert file_spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"
    # Archival does not lose what every PDF has.
    assert catalog["/Lang"] == "de"
    assert parsed.metadata.title == "Protokoll der 3. Sitzung"
    assert parsed.metadata.author == "Geschäftsstelle"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True


def test_several_attachments_keep_their_relationships():
    attachments = [
        PdfAttachment("minutes.json", b'{"a": 1}'),
        PdfAttachment("source.md", b"# Protokoll", relationship=AttachmentRelationship.SOURCE),
    ]
    pdf = render_pdf(document(), archival=True, attachments=attachments)

    catalog = reader(pdf).trailer["/Root"]
    relationships = {
        spec.get_object()["/UF"]: spec.get_object()["/AFRelationship"] for spec in catalog["/AF"]
    }
    assert relationships == {"minutes.json": "/Data", "source.md": "/Source"}
    assert embedded_files(pdf) == {"minutes.json": [b'{"a": 1}'], "source.md": [b"# Protokoll"]}


def test_an_ordinary_pdf_embeds_attachments_without_claiming_pdf_a():
    pdf = render_pdf(document(), attachments=[PdfAttachment("minutes.json", b"{}")])

    parsed = reader(pdf)
    assert embedded_files(pdf) == {"minutes.json": [b"{}"]}
    assert parsed.xmp_metadata is None or parsed.xmp_metadata.pdfaid_part is None
    assert "/AF" not in parsed.trailer["/Root"]


def test_relative_urls_resolve_to_assets(monkeypatch):
    asked = []
    original_fetch = fetcher_module.AssetFetcher.fetch

    def recording_fetch(self, url, headers=None):
        asked.append(url)
        return original_fetch(self, url, headers)

    monkeypatch.setattr(fetcher_module.AssetFetcher, "fetch", recording_fetch)
    render_pdf(document('<img class="logo" src="logo.svg" alt="Logo">'))

    assert "asset:logo.svg" in asked
    assert "asset:base.css" in asked


def test_an_instance_logo_replaces_the_default(tmp_path, monkeypatch):
    instance_logo = tmp_path / "logo.svg"
    instance_logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10"/></svg>'
    )
    served = []
    original_fetch = fetcher_module.AssetFetcher.fetch

    def recording_fetch(self, url, headers=None):
        response = original_fetch(self, url, headers)
        body = response.read()
        served.append(body)
        return type(response)(url, body, response.headers)

    monkeypatch.setattr(fetcher_module.AssetFetcher, "fetch", recording_fetch)
    render_pdf(
        document('<img src="asset:logo.svg" alt="Logo">'),
        extra_asset_files={"logo.svg": instance_logo},
    )

    assert instance_logo.read_bytes() in served


def test_refuses_html_over_the_size_limit_before_rendering():
    with pytest.raises(DocumentTooLarge, match=str(MAX_HTML_LENGTH)):
        render_pdf("x" * (MAX_HTML_LENGTH + 1))


def test_html_just_under_the_size_limit_is_accepted():
    # Comments cost parsing but no layout, so this stays fast while using the whole budget.
    html = document()
    padding = MAX_HTML_LENGTH - len(html) - len("<!---->")
    pdf = render_pdf(html.replace("<body", f"<!--{'x' * padding}--><body", 1))

    assert "Inhalt" in page_texts(pdf)[0]


def test_the_deepest_markdown_accepted_still_renders():
    deepest = ""
    for levels in range(1, MAX_NESTING_DEPTH + 1):
        items = "".join("  " * level + "- Punkt\n" for level in range(levels))
        candidate = items + "  " * levels + "*a **b [c](https://x.example)***\n"
        try:
            render_markdown(candidate)
        except MarkdownTooDeep:
            break
        deepest = candidate
    html = render_markdown(deepest)
    # A template wraps user text in a few elements of its own.
    wrapper = "<div><section><article><div><div>{}</div></div></article></section></div>"

    assert html.count("<ul>") >= MAX_NESTING_DEPTH // 3
    assert "a b c" in page_texts(render_pdf(document(wrapper.format(html))))[0]


def test_refuses_html_nested_too_deeply_for_the_renderer():
    with pytest.raises(DocumentTooComplex):
        render_pdf(document("<div>" * 600 + "tief" + "</div>" * 600))
