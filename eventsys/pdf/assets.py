"""What names our assets, without WeasyPrint: the `asset:` scheme, the folder, `asset_url`.

Templates and the modules that fill them need only these names; `eventsys.pdf.fetcher`, which
reads the assets for WeasyPrint, imports WeasyPrint (half a second), so that only a process
that renders pays for it.
"""

import urllib.parse
from pathlib import Path

ASSET_SCHEME = "asset"
ASSET_FOLDER = Path(__file__).resolve().parent.parent / "static" / "pdf"
DOCUMENT_BASE_URL = f"{ASSET_SCHEME}:document.html"

# urljoin resolves relative references only for schemes it lists; without this, `logo.svg` in a
# document whose base is `asset:document.html` would stay relative and be refused.
if ASSET_SCHEME not in urllib.parse.uses_relative:
    urllib.parse.uses_relative.append(ASSET_SCHEME)


class AssetRefused(ValueError):
    """A URL the fetcher will not read; the message says why."""


def asset_url(name: str) -> str:
    """The URL a template uses for an asset, e.g. `asset_url("logo.svg")`."""
    return f"{ASSET_SCHEME}:{urllib.parse.quote(name)}"


def name_problem(name: str) -> str | None:
    """Why `name` is not a plain relative asset name, or None if it is."""
    if not name:
        return "empty name"
    if "\\" in name or "\0" in name:
        return "backslash or NUL in name"
    if name.startswith("/"):
        return "absolute path"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "empty, '.' or '..' path segment"
    return None
