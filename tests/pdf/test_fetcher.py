"""The PDF URL fetcher serves our assets and refuses every other URL, whatever its disguise."""

import logging
from pathlib import Path

import pytest

from eventsys.pdf.fetcher import ASSET_FOLDER, AssetFetcher, AssetRefused, asset_url


def test_serves_the_base_stylesheet_with_its_type():
    response = AssetFetcher().fetch("asset:base.css")

    assert response.read() == (ASSET_FOLDER / "base.css").read_bytes()
    assert response.content_type == "text/css"
    assert response.charset == "utf-8"


def test_serves_the_default_logo_as_svg():
    response = AssetFetcher().fetch(asset_url("logo.svg"))

    assert response.read() == (ASSET_FOLDER / "logo.svg").read_bytes()
    assert response.content_type == "image/svg+xml"


def test_ignores_a_fragment():
    assert AssetFetcher().fetch("asset:logo.svg#part").read().startswith(b"<svg")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.org/logo.png",
        "ftp://example.org/logo.png",
        "data:text/plain,root:x:0:0",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "javascript:alert(1)",
        "gopher://example.org/",
        "jar:file:///etc/passwd!/",
        "logo.svg",
        "/etc/passwd",
        "//example.org/logo.svg",
    ],
)
def test_refuses_every_other_scheme(url, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="eventsys.pdf.fetcher"),
        pytest.raises(AssetRefused, match="scheme"),
    ):
        AssetFetcher().fetch(url)

    assert "Refused to fetch" in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "asset:../../../../etc/passwd",
        "asset:../pdf/base.css",
        "asset:/etc/passwd",
        "asset:%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "asset:%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "asset:..%2f..%2f..%2f..%2fetc%2fpasswd",
        "asset:%2fetc%2fpasswd",
        "asset:..\\..\\etc\\passwd",
        "asset:base.css%00.png",
        "asset:sub/../base.css",
        "asset:./base.css",
        "asset:.//base.css",
        "asset://localhost/etc/passwd",
        "asset://base.css",
        "asset:base.css?version=2",
        "asset:",
        "asset:missing.css",
        "asset:%252e%252e/base.css",
    ],
)
def test_refuses_paths_outside_or_not_naming_an_asset(url, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="eventsys.pdf.fetcher"),
        pytest.raises(AssetRefused),
    ):
        AssetFetcher().fetch(url)

    assert "Refused to fetch" in caplog.text


@pytest.fixture
def asset_folder(tmp_path, secret_file) -> Path:
    folder = tmp_path / "assets"
    (folder / "fonts").mkdir(parents=True)
    (folder / "fonts" / "face.css").write_text("p {}")
    (folder / "inside.css").write_text("h1 {}")
    (folder / "escape.css").symlink_to(secret_file)
    (folder / "escape-dir").symlink_to(secret_file.parent)
    (folder / "alias.css").symlink_to(folder / "inside.css")
    return folder


def test_serves_files_in_subfolders(asset_folder):
    assert AssetFetcher(folder=asset_folder).fetch("asset:fonts/face.css").read() == b"p {}"


def test_follows_a_symbolic_link_that_stays_inside(asset_folder):
    assert AssetFetcher(folder=asset_folder).fetch("asset:alias.css").read() == b"h1 {}"


@pytest.mark.parametrize(
    "url", ["asset:escape.css", "asset:escape-dir/secret.txt", "asset:fonts", "asset:fonts/"]
)
def test_refuses_symbolic_links_out_and_folders(asset_folder, url):
    with pytest.raises(AssetRefused):
        AssetFetcher(folder=asset_folder).fetch(url)


def test_serves_an_extra_file_by_name_and_type_of_the_real_file(tmp_path):
    logo = tmp_path / "instance-logo.png"
    logo.write_bytes(b"\x89PNG fake")
    fetcher = AssetFetcher({"logo.svg": logo, "seal.png": logo})

    replaced = fetcher.fetch("asset:logo.svg")
    added = fetcher.fetch("asset:seal.png")

    assert replaced.read() == added.read() == b"\x89PNG fake"
    assert replaced.content_type == "image/png"


def test_refuses_an_extra_file_that_is_missing(tmp_path):
    fetcher = AssetFetcher({"seal.png": tmp_path / "gone.png"})

    with pytest.raises(AssetRefused, match="does not exist"):
        fetcher.fetch("asset:seal.png")


@pytest.mark.parametrize("name", ["", "/etc/passwd", "../seal.png", "a/./b.png", "a\\b.png"])
def test_rejects_unusable_extra_names(tmp_path, name):
    with pytest.raises(ValueError, match="Unusable asset name"):
        AssetFetcher({name: tmp_path / "seal.png"})


def test_the_parents_own_fetching_allows_no_protocol():
    # Should a WeasyPrint code path ever use URLFetcher's own opener, it must refuse too.
    from weasyprint.urls import URLFetcher

    with pytest.raises(ValueError, match="disallowed protocol"):
        URLFetcher.fetch(AssetFetcher(), "file:///etc/passwd")
