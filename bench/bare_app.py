"""The baseline of the page benchmark (bench/national.py pages): a Flask app that answers one
small HTML page from a template string, no database, no session, served by gunicorn exactly as
eventsys is. What a staff page costs beyond it is eventsys's own work."""

from flask import Flask, render_template_string

app = Flask(__name__)

_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ text }}</p></main></body></html>"""


@app.get("/")
def page():
    return render_template_string(_PAGE, title="Übersicht", text="Eine Seite ohne Datenbank.")
