"""The letterhead of our documents: the platform's logo (templates/documents/_letterhead.html)."""

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from eventsys.pdf.assets import asset_url

logger = logging.getLogger(__name__)

DEFAULT_LOGO = "logo.svg"
# The asset name under which a configured logo is served; the fetcher takes the media type
# from the file itself.
CONFIGURED_LOGO_NAME = "letterhead-logo"


@dataclass(frozen=True)
class Letterhead:
    """The logo's asset URL for the template and the files the renderer may read for it."""

    logo_url: str
    extra_asset_files: dict[str, Path]


def letterhead() -> Letterhead:
    """The logo of our documents: the file named by LETTERHEAD_LOGO_PATH (relative paths are
    relative to the instance folder), or our default when none is set. A configured file that
    does not exist is logged and replaced by the default, so that no record goes unprinted for
    want of a picture."""
    configured = current_app.config.get("LETTERHEAD_LOGO_PATH")
    if not configured:
        return Letterhead(asset_url(DEFAULT_LOGO), {})
    path = Path(current_app.instance_path, configured)  # an absolute path stays as it is
    if not path.is_file():
        logger.warning("LETTERHEAD_LOGO_PATH %s is not a file; using the default logo", path)
        return Letterhead(asset_url(DEFAULT_LOGO), {})
    name = CONFIGURED_LOGO_NAME + path.suffix.lower()
    return Letterhead(asset_url(name), {name: path})
