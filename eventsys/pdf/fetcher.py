"""The only way WeasyPrint may read anything while it renders a PDF: our own assets.

Templates name assets with the private `asset:` scheme, e.g. `asset:base.css` or
`asset:logo.svg`; a name is a path relative to `eventsys/static/pdf/`, or one of the extra files
the caller names (an instance's own logo). The document itself gets the base URL
`asset:document.html`, so a relative reference such as `logo.svg` means `asset:logo.svg`, and
nothing ever resolves against the filesystem.

Everything else is refused: `file:`, `http:`, `https:`, `ftp:`, `data:` and any other scheme,
absolute or `..` paths (also percent-encoded), symbolic links that lead out of the folder, and
names that are not files in it. A refusal logs a warning and raises `AssetRefused`; WeasyPrint
treats that as a failed download, so the resource is simply missing from the PDF.

`data:` URLs are refused too: WeasyPrint (70) does not decode them itself but hands them to the
fetcher like any other URL (its default fetcher decodes them), and user text must not smuggle an
image, SVG or attachment into a PDF that way.

The fetcher subclasses WeasyPrint's `URLFetcher` rather than being a plain function, because
WeasyPrint 70 reads attributes of the fetcher when a fetch fails.
"""

import logging
import mimetypes
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from eventsys.pdf.assets import (
    ASSET_FOLDER,
    ASSET_SCHEME,
    DOCUMENT_BASE_URL,
    AssetRefused,
    asset_url,
    name_problem,
)

__all__ = [
    "ASSET_FOLDER",
    "ASSET_SCHEME",
    "DOCUMENT_BASE_URL",
    "AssetFetcher",
    "AssetRefused",
    "asset_url",
]

logger = logging.getLogger(__name__)


class AssetFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves `asset:` URLs from one folder and refuses the rest.

    `extra_files` maps asset names to files outside the folder (an instance's logo, say); such a
    name takes precedence over a file of the same name in the folder. Raises ValueError for an
    extra name that is not a plain relative asset name.
    """

    def __init__(
        self, extra_files: Mapping[str, Path] | None = None, *, folder: Path = ASSET_FOLDER
    ) -> None:
        # No protocol allowed and no redirects: should anything reach the parent's own fetching,
        # it refuses as well.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self._folder = folder.resolve()
        self._extra_files: dict[str, Path] = {}
        for name, path in (extra_files or {}).items():
            if problem := name_problem(name):
                raise ValueError(f"Unusable asset name {name!r}: {problem}")
            self._extra_files[name] = Path(path)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the asset `url` names; raise AssetRefused for anything else."""
        try:
            path = self._resolve(url)
            body = path.read_bytes()
        except (AssetRefused, OSError) as error:
            # data: URLs can be megabytes long; the start says enough.
            logger.warning("Refused to fetch %.120r for a PDF: %s", url, error)
            raise AssetRefused(str(error)) from error
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _resolve(self, url: str) -> Path:
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError as error:
            raise AssetRefused(f"malformed URL ({error})") from error
        if parts.scheme.lower() != ASSET_SCHEME:
            raise AssetRefused(f"scheme {parts.scheme or '(none)'!r} is not {ASSET_SCHEME!r}")
        if parts.netloc or parts.query:
            raise AssetRefused("asset URLs have no host and no query")
        name = urllib.parse.unquote(parts.path)
        if problem := name_problem(name):
            raise AssetRefused(problem)
        if name in self._extra_files:
            path = self._extra_files[name]
            if not path.is_file():
                raise AssetRefused(f"configured file {str(path)!r} does not exist")
            return path
        path = (self._folder / name).resolve()
        # resolve() follows symbolic links, so a link out of the folder lands outside it here.
        if not path.is_relative_to(self._folder):
            raise AssetRefused("leads out of the asset folder")
        if not path.is_file():
            raise AssetRefused("no such asset")
        return path
