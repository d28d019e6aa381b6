"""The index follows every save of what it holds: each kind is found after it is saved, and
not after it is changed or deleted; `flask search rebuild` gives the same index."""

import sqlalchemy as sa

from eventsys.charters import pool, versions
from eventsys.extensions import db
from eventsys.minutes.models import Decision, MinutesComment
from eventsys.privacy import erasure
from eventsys.search import engines
from eventsys.search.models import SearchEntry, SearchKind
from eventsys.search.text import parse_query
from tests.search.conftest import entry_count


def found(text: str) -> set[tuple[SearchKind, int]]:
    """(kind, id of the row) of every entry that `text` matches."""
    query = parse_query(text)
    dialect = db.session.get_bind().dialect.name
    statement, _relevance = engines.matching(
        sa.select(SearchEntry.kind, SearchEntry.source_id), query, dialect
    )
    return {tuple(row) for row in db.session.execute(statement)}


def test_each_kind_is_found_by_another_form_of_its_words(platform):
    assert found("Datenstrategie") == {
        (SearchKind.TOPIC, platform.topic.id),
        (SearchKind.DRAFT_CLAUSE, platform.clause.id),
        (SearchKind.VERSION_CLAUSE, platform.clause.id),
    }
    assert found("Eckpunktepapiere") == {(SearchKind.DECISION, platform.decision.id)}
    assert found("Leitfäden Beschaffung") == {(SearchKind.ACTION_ITEM, platform.action_item.id)}
    assert found("Kommune") == {
        (SearchKind.TOPIC, platform.topic.id),
        (SearchKind.RECOMMENDATION, platform.recommendation.id),
    }
    assert found("Land") == {(SearchKind.RECOMMENDATION, platform.recommendation.id)}
    assert found("Quartiere") == {(SearchKind.MINUTES_COMMENT, platform.minutes_comment.id)}
    assert found("Wärmeplanungen") == {(SearchKind.CHARTER_COMMENT, platform.charter_comment.id)}
    assert found("strategies") == {
        (SearchKind.DRAFT_CLAUSE, platform.clause.id),
        (SearchKind.VERSION_CLAUSE, platform.clause.id),
    }


def test_a_phrase_and_an_excluded_word(platform):
    assert found('"Städte entwickeln"') == {
        (SearchKind.DRAFT_CLAUSE, platform.clause.id),
        (SearchKind.VERSION_CLAUSE, platform.clause.id),
    }
    assert found('"entwickeln Städte"') == set()
    assert found("Datenstrategie -Städte") == {(SearchKind.TOPIC, platform.topic.id)}


def test_the_index_follows_edits_of_the_minutes(platform):
    platform.topic.discussion = "Die Runde spricht über Mobilitätsdaten."
    platform.decision.text = "Die Plattform vertagt die Wärmewende."
    db.session.commit()

    assert found("Kommune") == {(SearchKind.RECOMMENDATION, platform.recommendation.id)}
    assert found("Mobilitätsdaten") == {(SearchKind.TOPIC, platform.topic.id)}
    assert found("Eckpunktepapier") == set()
    assert found("Wärmewende") == {(SearchKind.DECISION, platform.decision.id)}


def test_a_renamed_top_is_found_by_its_title(platform):
    platform.topic.title = "Klimaanpassung"
    db.session.commit()

    assert found("Klimaanpassungen") == {(SearchKind.TOPIC, platform.topic.id)}


def test_deleted_rows_leave_the_index(platform):
    before = entry_count()
    platform.topic.decisions.remove(platform.decision)  # deleted as an orphan
    db.session.commit()
    assert found("Eckpunktepapier") == set()
    assert db.session.get(Decision, platform.decision.id) is None

    platform.minutes.topics.remove(platform.topic)  # with its action item and recommendation
    db.session.commit()
    assert found("Leitfaden") == set() and found("Kommune") == set()
    assert entry_count() == before - 4


def test_an_erasure_takes_the_experts_comments_out_of_the_index(platform):
    expert = platform.minutes_comment.expert
    erasure.erase_expert(expert)
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count(MinutesComment.id))) == 0
    assert found("Quartier") == set()
    assert found("Wärmeplanung") == set()


def test_the_working_text_holds_only_recommendations_in_a_chapter(platform, staff):
    pool.assign(platform.clause, None, staff.admin)
    db.session.commit()
    assert found("Datenstrategie") == {
        (SearchKind.TOPIC, platform.topic.id),
        (SearchKind.VERSION_CLAUSE, platform.clause.id),
    }

    pool.reword(platform.clause, "Städte teilen ihre Geodaten.", "", staff.admin)
    pool.assign(platform.clause, platform.clause.charter.chapters[0], staff.admin)
    db.session.commit()
    assert found("Geodaten") == {(SearchKind.DRAFT_CLAUSE, platform.clause.id)}


def test_a_new_version_is_found_beside_the_older_one(platform, staff):
    pool.reword(platform.clause, "Städte teilen ihre Geodaten.", "", staff.admin)
    db.session.flush()
    newer = versions.freeze(platform.charter, staff.admin)
    db.session.commit()

    entries = db.session.execute(
        sa.select(SearchEntry.version_id, SearchEntry.label).where(
            SearchEntry.kind == SearchKind.VERSION_CLAUSE
        )
    ).all()
    assert sorted(entries) == sorted([(platform.version.id, "3.1"), (newer.id, "3.1")])
    assert found("Geodaten") == {
        (SearchKind.DRAFT_CLAUSE, platform.clause.id),
        (SearchKind.VERSION_CLAUSE, platform.clause.id),
    }


def test_a_failed_save_leaves_the_index_as_it_was(platform):
    platform.decision.text = "Ein Beschluss über Wärmenetze."
    db.session.flush()
    assert found("Wärmenetz") == {(SearchKind.DECISION, platform.decision.id)}
    db.session.rollback()

    assert found("Wärmenetz") == set()
    assert found("Eckpunktepapier") == {(SearchKind.DECISION, platform.decision.id)}


def test_rebuild_makes_the_same_index(platform, runner):
    def index() -> list[tuple]:
        columns = [c for c in SearchEntry.__table__.columns if c.name not in ("id", "terms")]
        return sorted(tuple(row) for row in db.session.execute(sa.select(*columns)))

    before = index()
    db.session.execute(sa.delete(SearchEntry))
    db.session.commit()
    assert found("Datenstrategie") == set()

    result = runner.invoke(args=["search", "rebuild"])

    assert result.exit_code == 0, result.output
    assert f"holds {len(before)} entries" in result.output
    db.session.expire_all()
    assert index() == before
    assert len(found("Datenstrategie")) == 3
