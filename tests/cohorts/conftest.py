"""A ward with a cohort, its staff and learners, and a second ward next door."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from lms.cohorts.services import create_cohort, enrol
from lms.extensions import db


@dataclass
class World:
    ward: object
    other_ward: object
    coordinator: object
    other_coordinator: object
    instructor: object
    other_instructor: object
    learner: object
    admin: object
    cohort: object
    other_cohort: object


@pytest.fixture()
def world(make_ward, make_user):
    ward = make_ward("Phường Đông")
    other_ward = make_ward("Phường Tây")
    coordinator = make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà")
    other_coordinator = make_user(("coordinator",), ward=other_ward, name="Cán bộ Tây")
    instructor = make_user(("instructor",), ward=ward, name="Lê Văn Minh")
    other_instructor = make_user(("instructor",), ward=ward, name="Phạm Văn Dạy")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", group=ward.groups[0])
    admin = make_user(("admin",), name="Quản Trị")
    cohort = create_cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly",
                           group_id=ward.groups[0].id, instructor_ids=[instructor.id])
    other_cohort = create_cohort(ward_id=other_ward.id, name="Lớp phường Tây", audience="everyone")
    enrol(cohort, learner, by=coordinator, consent=True)
    db.session.commit()
    return World(ward, other_ward, coordinator, other_coordinator, instructor, other_instructor, learner, admin,
                 cohort, other_cohort)
