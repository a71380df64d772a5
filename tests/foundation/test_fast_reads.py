"""Hot reads on the driver's connection (lms.fastread): the rows SQLAlchemy would give, the
request's own changes seen, and every connection handed back to the pool."""
import sqlalchemy as sa
from flask import g

from lms.accounts.models import User, UserRole
from lms.extensions import db
from lms.fastread import FastRead

ROLES = FastRead(
    sa.select(User.id, User.full_name, UserRole.role)
    .join(UserRole, UserRole.user_id == User.id)
    .where(User.id == sa.bindparam("id"), User.is_active_account.is_(True))
    .order_by(UserRole.role)
)


def test_a_fast_read_gives_the_rows_sqlalchemy_gives(app, make_user):
    person = make_user(name="Nguyễn Thị Lan", roles=("learner", "instructor"))
    person_id = person.id
    db.session.commit()
    db.session.close()
    fast = ROLES.rows({"id": person_id})
    with db.engine.connect() as conn:
        through_sqlalchemy = [tuple(row) for row in conn.execute(ROLES.statement, {"id": person_id})]
    assert [tuple(row) for row in fast] == through_sqlalchemy
    assert [row[2] for row in fast] == ["instructor", "learner"]
    assert ROLES.first({"id": person_id + 1000}) is None


def test_a_fast_read_sees_what_the_request_has_changed_but_not_committed(app, make_user):
    person = make_user(name="Trần Văn Ba")
    person_id = person.id
    db.session.commit()
    person = db.session.get(User, person_id)
    person.full_name = "Trần Văn Bốn"
    db.session.flush()
    assert ROLES.first({"id": person_id})[1] == "Trần Văn Bốn"
    db.session.rollback()
    db.session.close()
    assert ROLES.first({"id": person_id})[1] == "Trần Văn Ba"


def test_fast_reads_use_one_connection_a_request_and_hand_it_back(app, make_user):
    person_id = make_user().id
    db.session.commit()
    db.session.close()
    before = db.engine.pool.checkedout()
    with app.app_context():  # a request's own context
        for _ in range(5):
            ROLES.rows({"id": person_id})
        assert db.engine.pool.checkedout() == before + 1
    assert db.engine.pool.checkedout() == before


def test_after_fast_reads_the_same_connection_writes_in_a_transaction_again(app, make_user):
    person_id = make_user(name="Lê Thị Hoa").id
    db.session.commit()
    db.session.close()
    for _ in range(3):  # the pool hands the same connection out again
        with app.app_context():
            ROLES.rows({"id": person_id})
        with app.app_context():
            db.session.get(User, person_id).full_name = "Lê Thị Hồng"
            db.session.flush()
            db.session.rollback()  # a transaction: nothing was written
    with app.app_context():
        assert ROLES.first({"id": person_id})[1] == "Lê Thị Hoa"


def test_a_connection_that_breaks_mid_request_is_dropped_not_handed_out_again(app, make_user):
    person_id = make_user().id
    db.session.commit()
    db.session.close()
    with app.app_context():
        ROLES.rows({"id": person_id})
        broken = g._lms_fast_connection[2].dbapi_connection
        broken.close()  # as if the server had gone away while the page was being made
    with app.app_context():
        ROLES.rows({"id": person_id})
        assert g._lms_fast_connection[2].dbapi_connection is not broken
