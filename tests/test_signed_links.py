"""Links made before the shared signed-link helper existed must still open what they opened."""

from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from eventsys.signed_links import SignedLink


def test_tokens_made_the_old_way_are_read(app):
    with app.app_context():
        secret = app.config["SECRET_KEY"]
        timed = URLSafeTimedSerializer(secret, salt="minutes-reader").dumps({"m": 3, "e": 7})
        plain = URLSafeSerializer(secret, salt="rsvp").dumps({"i": 5, "s": 2})
        assert SignedLink("minutes-reader").read_ids(timed, ("m", "e"), max_age=60) == (3, 7)
        assert SignedLink("rsvp", timed=False).read_ids(plain, ("i", "s")) == (5, 2)
        assert SignedLink("rsvp", timed=False).sign(i=5, s=2) == plain


def test_forged_mangled_expired_and_odd_tokens_are_refused(app):
    with app.app_context():
        link = SignedLink("minutes-reader")
        token = link.sign(m=3, e=7)
        assert SignedLink("charter-consultation").read_ids(token, ("m", "e"), max_age=60) is None
        assert link.read_ids(token[:-2], ("m", "e"), max_age=60) is None
        assert link.read_ids(token, ("m", "e"), max_age=-1) is None
        assert link.read_ids(token, ("m", "x"), max_age=60) is None
        assert link.read_ids(link.sign(m=3), ("m", "e"), max_age=60) is None
