"""`flask move-to-postgresql`: a ward's SQLite data in PostgreSQL, every row equal, the app working
on it; a refused or failed move leaves the target as it was."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from lms.courses.search import search_lessons
from lms.extensions import db
from tests.backup.conftest import instance_app
from tests.backup.test_backup_restore import run
from tests.conftest import dispose_engines
from tests.factories import AuthActions


def normalised(value):
    """One value as both databases mean it: aware datetimes in naive UTC, bytes as bytes."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def table_rows(engine: sa.Engine, table: sa.Table) -> list[tuple]:
    """Every row, every column, read through the models' types (JSON decoded, booleans as bool)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
    return [tuple(normalised(v) for v in row) for row in rows]


def json_texts(engine: sa.Engine, table: sa.Table) -> list[tuple]:
    """The JSON columns as the exact text stored: nothing re-encoded on the way."""
    columns = [c for c in table.columns if isinstance(c.type, sa.JSON)]
    if not columns:
        return []
    with engine.connect() as conn:
        return conn.execute(sa.select(*[sa.cast(c, sa.Text) for c in columns])
                            .order_by(*table.primary_key.columns)).all()


def test_a_ward_moves_to_postgresql_row_for_row_and_works_there(pg_target, app, ward_data, tmp_path, make_user,
                                                                client):
    issued_before = tmp_path / "lan.jwt"  # Lan downloads her credential while the ward is on SQLite
    issued_before.write_bytes(client.get(f"/certificates/{ward_data.certificate_id}/credential.jwt").data)
    ward_finds = {hit.lesson.id for hit in search_lessons("lua dao")}
    assert ward_finds
    db.session.remove()
    result = run(app, "move-to-postgresql", "--to", pg_target, "--batch", "7")
    assert result.exit_code == 0, result.output
    assert "sang PostgreSQL" in result.output and "LMS_SIGNING_KEY" in result.output

    target = sa.create_engine(pg_target)
    try:
        compared = 0
        for table in db.metadata.sorted_tables:
            source_rows = table_rows(db.engine, table)
            assert table_rows(target, table) == source_rows, table.name
            assert json_texts(target, table) == json_texts(db.engine, table), table.name
            compared += len(source_rows)
        assert compared > 500  # the catalogue, the ward, its learning
        with target.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == \
                db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        target.dispose()

    province = instance_app(tmp_path / "province", SQLALCHEMY_DATABASE_URI=pg_target,
                            SECRET_KEY=app.config["SECRET_KEY"])
    try:
        from lms.certificates.keys import key_path

        province.config["LMS_SIGNING_KEY"] = str(key_path(app))
        client = province.test_client()
        assert AuthActions(client).login(ward_data.learner).status_code == 302
        assert "Nguyễn Thị Lan" in client.get("/").get_data(as_text=True)
        verified = run(province, "certificates", "verify", issued_before)
        assert verified.exit_code == 0, verified.output
        assert client.get(f"/certificates/{ward_data.certificate_id}/credential.jwt").data == \
            issued_before.read_bytes()  # the same signed credential, from the same key and rows
        page = client.get(f"/verify/{ward_data.certificate_code}", follow_redirects=True).get_data(as_text=True)
        assert "Chứng nhận hợp lệ" in page
        found = client.get("/courses/search", query_string={"q": "lua dao"}).get_data(as_text=True)
        assert "Tìm thấy" in found
        with province.app_context():  # the search index was built again from the copied lessons
            assert {hit.lesson.id for hit in search_lessons("lua dao")} == ward_finds
            db.session.remove()
        with province.app_context():  # new rows continue after the copied ids: sequences moved on
            from lms.accounts.models import User

            highest = db.session.scalar(sa.select(sa.func.max(User.id)))
            assert make_user(name="Người Mới").id == highest + 1
            db.session.remove()
    finally:
        dispose_engines(province)


def test_a_target_that_holds_data_is_refused_and_left_as_it_was(pg_target, app, ward_data):
    assert run(app, "move-to-postgresql", "--to", pg_target).exit_code == 0
    target = sa.create_engine(pg_target)
    try:
        with target.connect() as conn:
            before = conn.execute(sa.text("SELECT count(*) FROM user_account")).scalar()
        result = run(app, "move-to-postgresql", "--to", pg_target)
        assert result.exit_code == 1
        assert "Cơ sở dữ liệu đích không trống" in result.output and "createdb" in result.output
        with target.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM user_account")).scalar() == before
    finally:
        target.dispose()


def test_a_row_postgresql_refuses_rolls_back_everything_even_the_schema(pg_target, app, ward_data):
    # SQLite does not enforce a column's length; PostgreSQL does. The bad row sits in a table
    # copied late, after the migrations and most tables were already written.
    db.session.execute(sa.text("UPDATE audit_log SET action = :long WHERE id = (SELECT max(id) FROM audit_log)"),
                       {"long": "x" * 100})
    db.session.commit()
    result = run(app, "move-to-postgresql", "--to", pg_target)
    assert result.exit_code == 1
    assert "PostgreSQL từ chối, không có gì được ghi" in result.output
    target = sa.create_engine(pg_target)
    try:
        assert sa.inspect(target).get_table_names() == []
    finally:
        target.dispose()


def test_only_a_postgresql_address_is_accepted(app, tmp_path):
    for url in (f"sqlite:///{tmp_path / 'x.db'}", "khong-phai-dia-chi"):
        result = run(app, "move-to-postgresql", "--to", url)
        assert result.exit_code == 1
        assert "--to phải là địa chỉ một cơ sở dữ liệu PostgreSQL" in result.output
    assert not (tmp_path / "x.db").exists()


def test_a_ward_not_at_the_latest_migration_is_asked_to_upgrade_first(pg_target, app):
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'a7896d9dafa4'"))
    db.session.commit()
    result = run(app, "move-to-postgresql", "--to", pg_target)
    assert result.exit_code == 1
    assert "chưa phải bản mới nhất" in result.output and "db upgrade" in result.output
    target = sa.create_engine(pg_target)
    try:
        assert sa.inspect(target).get_table_names() == []
    finally:
        target.dispose()


def test_a_target_already_migrated_but_empty_is_accepted(pg_target, app, ward_data, other_app):
    from tests.conftest import reset_schema

    province = other_app(SQLALCHEMY_DATABASE_URI=pg_target)
    reset_schema(province)  # `flask db upgrade` run there first
    dispose_engines(province)
    result = run(app, "move-to-postgresql", "--to", pg_target)
    assert result.exit_code == 0, result.output
    target = sa.create_engine(pg_target)
    try:
        for table in db.metadata.sorted_tables:
            assert table_rows(target, table) == table_rows(db.engine, table), table.name
    finally:
        target.dispose()


def test_a_table_the_code_does_not_know_is_never_left_behind(pg_target, app):
    db.session.execute(sa.text("CREATE TABLE ghi_chu_cu (id INTEGER PRIMARY KEY, noi_dung TEXT)"))
    db.session.execute(sa.text("INSERT INTO ghi_chu_cu (noi_dung) VALUES ('Sổ tay của phường')"))
    db.session.commit()
    result = run(app, "move-to-postgresql", "--to", pg_target)
    assert result.exit_code == 1
    assert "Bảng ghi_chu_cu có dữ liệu mà bản Lớp Số này không biết" in result.output
    target = sa.create_engine(pg_target)
    try:
        assert sa.inspect(target).get_table_names() == []
    finally:
        target.dispose()
