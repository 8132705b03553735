"""Shared fixtures: one app per run, one rolled-back transaction per test, factories.

The database is SQLite in a temporary directory, or EXAMSYS_TEST_DATABASE_URL when set
(the same suite runs on PostgreSQL in CI). The schema is built by the real migrations.
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from examsys import create_app
from examsys.core.db import db, utcnow
from examsys.core.ids import DocumentType, make_resident_id
from examsys.core.permissions import Role
from examsys.modules.accounts import operations as accounts
from examsys.modules.catalog import operations as catalog
from examsys.modules.catalog.models import StudyLevel
from examsys.modules.people import operations as people
from examsys.modules.people.models import Gender, Person, PersonKind
from examsys.modules.registration import operations as registration
from examsys.modules.registration.models import Application, ApplicationStatus, Path
from examsys.modules.scheduling import operations as rooms
from examsys.modules.scheduling import plans

PASSWORD = "secret123"


def test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("EXAMSYS_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def reset_database(app) -> None:
    """Drop everything (including Alembic's table) and migrate from empty."""
    with app.app_context():
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                for name in sa.inspect(conn).get_table_names():
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
            else:
                meta = sa.MetaData()
                meta.reflect(conn)
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                meta.drop_all(conn)
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        upgrade()


@pytest.fixture(scope="session")
def app_config(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": test_database_url(tmp_path_factory),
        "INSTANCE_DIR": str(instance),
        "MEDIA_DIR": str(instance / "media"),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
    }


class IsolatedClient(FlaskClient):
    """Tests keep an app context pushed, which Flask reuses for each request (and with it
    the session). Commit what the test set up first (only a savepoint is released), so a
    request that answers with an error and rolls back cannot undo the test's own data; and
    clear ``g`` so nothing (the signed-in user, request flags) leaks between requests."""

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    reset_database(app)
    return app


@pytest.fixture
def db_session(app):
    """Every session in this test (the test's and each request's) shares one connection
    whose outer transaction is rolled back at the end; commits only release savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


_counter = itertools.count(1)


@pytest.fixture
def make_college(db_session):
    def factory(name=None, code=None):
        n = next(_counter)
        return catalog.save_college(None, code=code or f"C{n}", name=name or f"测试学院{n}")

    return factory


@pytest.fixture
def make_major(db_session, make_college):
    def factory(college=None, name=None, study_level=StudyLevel.HIGHER_VOCATIONAL):
        n = next(_counter)
        return catalog.save_major(None, college=college or make_college(), name=name or f"专业{n}",
                                  study_level=study_level)  # fmt: skip

    return factory


@pytest.fixture
def make_person(db_session, make_major):
    def factory(name="张三", kind=PersonKind.STUDENT, major=None, college=None, id_number=None, **extra):
        n = next(_counter)
        if kind is PersonKind.STUDENT:
            major = major or make_major(college=college)
            college = major.college
            extra.setdefault("student_no", f"S{n:06d}")
        number = id_number or make_resident_id(region="410102", birth=date(2004, 5, 6), sequence=n % 1000)
        data = people.PersonData(kind=kind, name=name, doc_type=DocumentType.resident_id, doc_number=number,
                                 college=college, major=major, **extra)  # fmt: skip
        return people.create_person(data)

    return factory


@pytest.fixture
def school(db_session, make_college, make_major):
    """An occupation (电子商务师/网商, levels 4 and 3) owned by a college with one related major."""
    college = make_college(name="商贸学院")
    major = make_major(college=college, name="电子商务")
    occupation = catalog.save_occupation(None, name="电子商务师", code="4-01-02-02", owner_college=college)
    job = catalog.save_job(occupation.jobs[0], occupation=occupation, name="网商", levels=[4, 3], majors=[major])
    return {"college": college, "major": major, "occupation": occupation, "job": job}


@pytest.fixture
def make_user(db_session, make_college):
    def factory(*roles: Role, username=None, college=None, person=None):
        n = next(_counter)
        roles = roles or (Role.EXAM_OFFICE,)
        if Role.COORDINATOR in roles and college is None:
            college = make_college()
        return accounts.create_user(username or f"user{n}", PASSWORD, roles, college=college, person=person)

    return factory


@pytest.fixture
def login(client):
    def do_login(user, password=PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def gender():
    return Gender


# --------------------------------------------------------------------- exam plans

_plan_seq = itertools.count(1)


@pytest.fixture
def make_exam_batch(school):
    def factory(name=None, level=4, job=None):
        data = registration.BatchData(
            name=name or f"2026 冬季认定 {next(_plan_seq)}",
            job=job or school["job"],
            level=level,
            path=Path.EXAM,
            college=school["college"],
            opens_at=datetime(2026, 9, 1, tzinfo=UTC),
            closes_at=datetime(2026, 10, 31, tzinfo=UTC),
            exam_date=date(2026, 12, 10),
        )
        return registration.save_batch(None, data)

    return factory


@pytest.fixture
def enrol(school):
    """Approved applications for people in the given classes: enrol(batch, {"24电商1班": 30, ...})."""

    def factory(batch, classes: dict[str, int], person=None):
        apps = []
        for class_name, count in classes.items():
            for _ in range(count):
                n = next(_plan_seq)
                who = person or Person(
                    kind=PersonKind.STUDENT, name=f"考生{n:04d}", gender=Gender.MALE, college=school["college"],
                    major=school["major"], student_no=f"T{n:07d}", grade="2024", class_name=class_name,
                )  # fmt: skip
                app = Application(batch=batch, person=who, status=ApplicationStatus.APPROVED, submitted_at=utcnow())
                db.session.add(app)
                apps.append(app)
        db.session.flush()
        return apps

    return factory


@pytest.fixture
def make_lab(db_session):
    def factory(rows=5, cols=6, code=None, name=None):
        n = next(_plan_seq)
        return rooms.create_lab(code or f"L{n:03d}", name or f"机房{n}", "东楼", rows, cols, subnet=f"10.9.{n % 250}")

    return factory


@pytest.fixture
def make_plan(db_session, make_exam_batch):
    def factory(batches=None, **options):
        return plans.create_plan(
            options.pop("name", "2026 年冬季认定实施计划"), batches or [make_exam_batch()], **options
        )

    return factory
