"""Demo data: one ward, two residential groups, staff and a dozen learners in three cohorts."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.people import create_person
from lms.cohorts.models import Cohort, Enrollment
from lms.courses.models import Course
from lms.extensions import db
from lms.wards.models import ResidentialGroup, Ward

DEMO_WARD = "Phường Mẫu"
DEMO_PROVINCE = "Tỉnh Mẫu"
# Demo PINs only; a real install hands out PINs on sign-in cards.
COORDINATOR = ("Trần Thị Thu Hà", "0900000001", "246802")
INSTRUCTOR = ("Lê Văn Minh", "0900000002", "135791")
LEARNER_PIN = "202510"
LEARNERS = [
    # (name, phone, birth year, group index, cohort)
    ("Nguyễn Thị Lan", "0900000101", 1956, 0, "elderly"),
    ("Phạm Văn Hùng", "0900000102", 1952, 0, "elderly"),
    ("Đỗ Thị Mai", "0900000103", 1960, 1, "elderly"),
    ("Vũ Văn Bình", "0900000104", 1949, 1, "elderly"),
    ("Hoàng Thị Ánh", "0900000105", 1975, 0, "disability"),
    ("Bùi Văn Đức", "0900000106", 1988, 1, "disability"),
    ("Ngô Thị Hoa", "0900000107", 1968, 0, "disability"),
    ("Đặng Thị Bích", "0900000108", 1979, 0, "traders"),
    ("Trịnh Văn Sơn", "0900000109", 1983, 1, "traders"),
    ("Lý Thị Hồng", "0900000110", 1971, 1, "traders"),
    ("Dương Văn Tâm", "0900000111", 1990, 0, "traders"),
    ("Mai Thị Ngọc", "0900000112", 1965, 1, "elderly"),
]
COHORTS = {
    "elderly": ("Lớp người cao tuổi", ["an-toan-tren-mang", "dich-vu-cong-truc-tuyen"]),
    "disability": ("Lớp người khuyết tật", ["an-toan-tren-mang", "ai-co-ban"]),
    "traders": ("Lớp tiểu thương chợ phường", ["thanh-toan-so", "cho-so-4t"]),
}


@dataclass
class DemoSignIn:
    role: str
    name: str
    phone: str
    pin: str


def new_join_code() -> str:
    """Eight characters people can read aloud: no 0/O or 1/I/L."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def load_demo() -> list[DemoSignIn]:
    """Create the demo ward once; running it again changes nothing."""
    sign_ins = [
        DemoSignIn("coordinator", COORDINATOR[0], COORDINATOR[1], COORDINATOR[2]),
        DemoSignIn("instructor", INSTRUCTOR[0], INSTRUCTOR[1], INSTRUCTOR[2]),
        DemoSignIn("learner", LEARNERS[0][0], LEARNERS[0][1], LEARNER_PIN),
    ]
    if db.session.scalar(sa.select(Ward).where(Ward.name == DEMO_WARD, Ward.province == DEMO_PROVINCE)):
        return sign_ins
    ward = Ward(name=DEMO_WARD, kind="phuong", province=DEMO_PROVINCE)
    groups = [ResidentialGroup(name="Tổ dân phố số 1", kind="to_dan_pho"),
              ResidentialGroup(name="Tổ dân phố số 2", kind="to_dan_pho")]
    ward.groups = groups
    db.session.add(ward)
    db.session.flush()
    create_person(full_name=COORDINATOR[0], phone=COORDINATOR[1], secret=COORDINATOR[2],
                  roles=("coordinator",), ward=ward, birth_year=1985)
    instructor = create_person(full_name=INSTRUCTOR[0], phone=INSTRUCTOR[1], secret=INSTRUCTOR[2],
                               roles=("instructor",), ward=ward, birth_year=1995)
    courses = {c.slug: c for c in db.session.scalars(sa.select(Course))}
    cohorts: dict[str, Cohort] = {}
    for audience, (name, slugs) in COHORTS.items():
        cohort = Cohort(ward=ward, name=name, audience=audience, join_code=new_join_code())
        cohort.instructors = [instructor]
        cohort.courses = [courses[s] for s in slugs if s in courses]
        db.session.add(cohort)
        cohorts[audience] = cohort
    db.session.flush()
    for name, phone, year, group_index, audience in LEARNERS:
        learner = create_person(full_name=name, phone=phone, secret=LEARNER_PIN, roles=("learner",),
                                ward=ward, group=groups[group_index], birth_year=year)
        db.session.add(Enrollment(cohort=cohorts[audience], user=learner))
    db.session.flush()
    return sign_ins


def demo_user(phone: str) -> User | None:
    from lms.accounts.services import find_by_phone

    return find_by_phone(phone)
