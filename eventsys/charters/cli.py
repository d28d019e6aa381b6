"""`flask charter …`: commands on charters."""

from flask.cli import AppGroup

charter = AppGroup("charter", help="Charters: versions and their PDFs.")
