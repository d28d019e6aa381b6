"""Says what the test suite needs and is missing, before pytest starts (run by `make test-only`).

Everything else the tests need is installed by `make test`; what is checked here comes from the
machine: Debian's packages (installed by `make test` when it runs as root), Node.js and npm for
axe-core and ical.js, and, when EVENTSYS_TEST_DATABASE_URL is set, a PostgreSQL server whose role
may switch triggers off (a superuser).
"""

import os
import shutil
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = {
    "chromium": "Debian's chromium package (apt-get install chromium)",
    "dovecot": "Debian's dovecot-imapd package (apt-get install dovecot-imapd)",
    "redis-server": "Debian's redis-server package (apt-get install redis-server)",
    # LibreOffice converts our Word documents to PDF in the tests.
    "soffice": "Debian's libreoffice-writer-nogui (apt-get install libreoffice-writer-nogui)",
    "node": "Node.js (apt-get install nodejs npm)",
}
SEARCHED = ["/usr/sbin", "/usr/local/sbin"]


def missing_programs() -> list[str]:
    path = os.pathsep.join([os.environ.get("PATH", ""), *SEARCHED])
    return [
        f"{program}: {where}"
        for program, where in PROGRAMS.items()
        if shutil.which(program, path=path) is None
    ]


def missing_node_modules() -> list[str]:
    modules = PROJECT_ROOT / "node_modules"
    return [
        f"node_modules/{name}: run `npm ci` (the README's test command does)"
        for name in ("axe-core", "ical.js")
        if not (modules / name).is_dir()
    ]


def postgres_problem(url: str) -> str | None:
    import sqlalchemy as sa

    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            superuser = connection.exec_driver_sql(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            ).scalar()
    except sa.exc.OperationalError as error:
        return f"PostgreSQL at {url} cannot be reached: {error.orig}"
    finally:
        engine.dispose()
    if not superuser:
        return f"PostgreSQL at {url}: the role must be a superuser (the tests restore databases)"
    return None


def main() -> int:
    problems = missing_programs() + missing_node_modules()
    postgres_url = os.environ.get("EVENTSYS_TEST_DATABASE_URL")
    if postgres_url and (problem := postgres_problem(postgres_url)):
        problems.append(problem)
    if problems:
        print("The tests cannot run; missing:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
