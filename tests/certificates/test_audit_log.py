"""The audit log: any feature records who did what to which record, and when."""
from datetime import date

from lms.audit.services import entries_for, entries_for_ward, record
from lms.extensions import db


def test_record_keeps_actor_target_ward_and_plain_details(app, make_user, ward_a, issued):
    coordinator = make_user(("coordinator",), ward=ward_a)
    entry = record(coordinator, "certificate.printed", issued, on=date(2025, 10, 10), copies={2, 1})
    db.session.commit()
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.ward_id) == (
        coordinator.id, "certificate", issued.id, ward_a.id)
    assert entry.details == {"on": "2025-10-10", "copies": [1, 2]}
    assert [e.action for e in entries_for(issued)] == ["certificate.issued", "certificate.printed"]
    assert entries_for_ward(ward_a.id)[0].action == "certificate.printed"


def test_the_system_may_act_and_the_ward_may_be_given(app, make_ward):
    other = make_ward("Xã Khác")
    entry = record(None, "ward.checked", None, ward=other, note="x")
    db.session.commit()
    assert entry.actor_id is None and entry.target_type is None and entry.ward_id == other.id
