"""A ward's people as a coordinator lists and searches them: one page at a time, in Vietnamese
name order, filtered by residential group, audience (of the cohorts they are in) and status, and
searched by name (with or without diacritics) or phone on the words index (lms.accounts.names).

Every query is bounded: one COUNT with the filters, and one page of ids read on an index
(user_account(ward_id, sort_key, id), person_name_word(ward_id, word, user_id)).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import PersonNameWord, User, UserRole
from lms.accounts.names import fold, prefix_range
from lms.accounts.pair_search import count_lists, pair_range_sets
from lms.accounts.phone import InvalidPhone, normalise_phone
from lms.accounts.text import clean
from lms.extensions import db
from lms.paging import PER_PAGE, Page

STATUSES = ("active", "inactive", "erased")
# "Người học" lists learners (people with no staff role) unless staff or everyone is asked for.
KINDS = ("learners", "staff", "all")
_STAFF = ("instructor", "coordinator", "admin")
MAX_TERMS = 6
_PHONE_LIKE = re.compile(r"[\d\s.+\-()]+")
_WORD = re.compile(r"\w+", re.UNICODE)


class FilterError(ValueError):
    """A filter value that does not exist (a group of another ward, an unknown status…)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PeopleFilter:
    ward_id: int | None  # None: every ward (an administrator)
    group_id: int | None = None
    audience: str | None = None
    status: str | None = None
    query: str = ""
    kind: str = "learners"


@dataclass(frozen=True)
class _Search:
    """A parsed search: each term is a list of [low, high) ranges of words (any may match); or a
    condition on the phone number written in full; or nothing can match."""

    terms: tuple = ()
    condition: object = None


def _parse(query: str) -> _Search | None:
    """None for an empty query. Three or more digits match the start or the end of a phone
    number; words match, each, the start of a word of the name."""
    from lms.accounts.text import clean

    query = clean(query)
    if not query:
        return None
    if _PHONE_LIKE.fullmatch(query):
        try:
            return _Search(condition=User.phone == normalise_phone(query))
        except InvalidPhone:
            pass
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) < 3:
            return _Search(condition=sa.false())
        ranges = [prefix_range("$" + digits[::-1])]
        if digits.startswith("0"):
            ranges.append(prefix_range("#" + digits))
        return _Search(terms=(tuple(ranges),))
    terms = list(dict.fromkeys(_WORD.findall(fold(query))))[:MAX_TERMS]
    if not terms:
        return _Search(condition=sa.false())
    return _Search(terms=tuple((prefix_range(t),) for t in terms))


def _in_ranges(word_column, ranges):
    return sa.or_(*[sa.and_(word_column >= low, word_column < high) for low, high in ranges])


def _has_term(user_id_column, ranges):
    """EXISTS a word of this person in the ranges: one seek on the (user_id, word) key."""
    word = sa.orm.aliased(PersonNameWord)
    return sa.exists().where(word.user_id == user_id_column, _in_ranges(word.word, ranges))


def _search_condition(ward_id: int | None, query: str):
    """A condition on User for a search, or None when the query is empty (for small sets, such
    as a cohort's members: each term is one seek per person)."""
    search = _parse(query)
    if search is None:
        return None
    if search.condition is not None:
        return search.condition
    return sa.and_(*[_has_term(User.id, ranges) for ranges in search.terms])


def _matches(ward_id: int | None, search: _Search):
    """(distinct user ids matching every term, how many rows the rarest list read has, no further
    than _FEW + 1), read from the words index: the rarest pair of terms' people (see
    lms.accounts.pair_search), or the rarest term's, checked against every other term by a seek
    each. Every list is counted in one query."""
    def term_rows(ranges):
        rows = sa.select(PersonNameWord.user_id).where(_in_ranges(PersonNameWord.word, ranges))
        return rows.where(PersonNameWord.ward_id == ward_id) if ward_id is not None else rows

    several = len(search.terms) > 1 and SEARCH_BY_PAIRS
    pairs = pair_range_sets(ward_id, [term[0][0] for term in search.terms]) if several else []
    lists = pairs or search.terms
    count, n = min((count, n) for n, count in enumerate(count_lists(ward_id, lists, _FEW + 1)))
    ranges = lists[n]
    driver = term_rows(ranges)
    for m, term in enumerate(search.terms):
        if pairs or m != n:  # a pair's people include UNPAIRED ones: each term is checked
            driver = driver.where(_has_term(PersonNameWord.user_id, term))
    return driver.distinct(), count


# Several words are searched from pairs of them (the words alone find the same people, more slowly:
# a test compares both ways).
SEARCH_BY_PAIRS = True

# Up to this many matches, a search's page is read starting from the matches and sorted; beyond
# it, by walking the ward in name order and keeping the matches (which soon fills a page).
_FEW = 3000
# A search counts its matches up to this many and says "more than" beyond: counting all of
# "nguyen" in a ward of 100,000 would cost as much as the ward is big, and help nobody.
SEARCH_COUNT_CAP = 1000


def _conditions(filters: PeopleFilter) -> list:
    """Conditions of every filter but the search."""
    conditions = _other_conditions(filters)
    if filters.kind in ("learners", "staff"):
        staff = sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(_STAFF))
        conditions.append(staff if filters.kind == "staff" else ~staff)
    return conditions


def _other_conditions(filters: PeopleFilter) -> list:
    """Conditions of every filter but the search and who (learners, staff, everyone)."""
    conditions = []
    if filters.ward_id is not None:
        conditions.append(User.ward_id == filters.ward_id)
    if filters.group_id:
        conditions.append(User.group_id == filters.group_id)
    if filters.status == "active":
        conditions += [User.erased_at.is_(None), User.is_active_account.is_(True)]
    elif filters.status == "inactive":
        conditions += [User.erased_at.is_(None), User.is_active_account.is_(False)]
    elif filters.status == "erased":
        conditions.append(User.erased_at.is_not(None))
    if filters.audience:
        from lms.cohorts.models import Cohort, Enrollment

        in_audience = (sa.select(Enrollment.user_id).join(Cohort, Cohort.id == Enrollment.cohort_id)
                       .where(Cohort.audience == filters.audience))
        if filters.ward_id is not None:
            in_audience = in_audience.where(Cohort.ward_id == filters.ward_id)
        conditions.append(User.id.in_(in_audience))
    return conditions


def _count_upto(statement, cap: int) -> int:
    """How many rows `statement` gives, counting no further than `cap`."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.limit(cap).subquery())) or 0


def listed_count(filters: PeopleFilter) -> int:
    """How many people the filters list, without a search, counted on indexes: learners are
    everyone the other filters list less the staff among them (a ward's few, found on the role
    index), not every person checked for a staff role."""
    others = _other_conditions(filters)

    def count(*more) -> int:
        if not more and filters.ward_id is not None and len(others) == 1:
            return _ward_count(filters.ward_id)
        return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(*others, *more)) or 0

    if filters.kind not in ("learners", "staff"):
        return count()
    staff = count(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(_STAFF))))
    return staff if filters.kind == "staff" else count() - staff


# People of other wards counted no further than this when a ward is counted as everyone less them.
_OTHERS_CAP = 5000


def _ward_count(ward_id: int) -> int:
    """Everyone of one ward. SQLite counts a whole table from its index pages, not row by row: a
    ward that is most of its file (a ward's own install) is everyone less the people of other
    wards or none (few, counted on the ward index no further than _OTHERS_CAP); otherwise, and on
    PostgreSQL, the ward's rows on its index."""
    direct = sa.select(sa.func.count()).select_from(User).where(User.ward_id == ward_id)
    if db.session.get_bind().dialect.name != "sqlite":
        return db.session.scalar(direct) or 0

    def upto(condition):
        rows = sa.select(User.id).where(condition).limit(_OTHERS_CAP).subquery()
        return sa.select(sa.func.count()).select_from(rows).scalar_subquery()

    everyone, elsewhere = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(User).scalar_subquery(),
        upto(User.ward_id < ward_id) + upto(User.ward_id > ward_id) + upto(User.ward_id.is_(None)))).one()
    if elsewhere < _OTHERS_CAP:
        return everyone - elsewhere
    return db.session.scalar(direct) or 0


def _found(filters: PeopleFilter, search: _Search, conditions: list) -> list[tuple[bytes, int]] | None:
    """(sort key, id) of the people matching a search by words and `conditions`, in name order,
    read from the words index in one query; None when more than _FEW people match the words
    (their page is then found by walking the ward in name order)."""
    matching, rarest = _matches(filters.ward_id, search)
    # Fewer rows for the rarest word than _FEW: few matches for sure. Otherwise count them first
    # (no further than _FEW + 1), not to fetch thousands of rows only to walk the ward instead;
    # one word's rows are its matches (either way of reading them gives the same page).
    if rarest > _FEW and (len(search.terms) == 1 or _count_upto(matching, _FEW + 1) > _FEW):
        return None
    matches = matching.limit(_FEW + 1).subquery()
    listed = sa.case((sa.and_(*conditions), 1), else_=0) if conditions else sa.literal(1)
    rows = db.session.execute(sa.select(matches.c.user_id, User.sort_key, listed)
                              .join(User, User.id == matches.c.user_id)).all()
    if len(rows) > _FEW:
        return None
    # Bytes compare as the database compares them, so this is the order of ORDER BY sort_key, id.
    return sorted((sort_key or b"", uid) for uid, sort_key, shown in rows if shown)


def _page_ids(conditions: list, total: int | None, offset: int, per_page: int) -> list[int]:
    """Ids of one page of the people meeting `conditions`, read on the (ward_id, sort_key, id)
    index. With the exact `total` known, a page nearer the end is read backwards from the end,
    so the database never walks more than half the list to reach a page."""
    statement = sa.select(User.id).where(*conditions)
    if total is None or offset <= total // 2:
        return list(db.session.scalars(statement.order_by(User.sort_key, User.id).limit(per_page).offset(offset)))
    after = total - offset - per_page  # people after this page
    backwards = statement.order_by(User.sort_key.desc(), User.id.desc())
    ids = db.session.scalars(backwards.limit(per_page + min(0, after)).offset(max(0, after))).all()
    return list(reversed(ids))


def _people_rows(ids: list[int]) -> list:
    """(row, staff roles) of each id, in the order given."""
    from lms.wards.models import ResidentialGroup

    if not ids:
        return []
    rows = db.session.execute(
        sa.select(User.id, User.full_name, User.phone, User.birth_year, User.is_active_account, User.erased_at,
                  User.ward_id, ResidentialGroup.name.label("group_name"))
        .outerjoin(ResidentialGroup, ResidentialGroup.id == User.group_id).where(User.id.in_(ids))
    ).all()
    roles: dict[int, list[str]] = {}
    for uid, role in db.session.execute(sa.select(UserRole.user_id, UserRole.role).where(
            UserRole.user_id.in_(ids), UserRole.role != "learner").order_by(UserRole.role)):
        roles.setdefault(uid, []).append(role)
    by_id = {row.id: row for row in rows}
    return [(by_id[i], roles.get(i, [])) for i in ids if i in by_id]


def people_page(filters: PeopleFilter, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of people (plain rows: id, name, phone, birth year, group, status) and the count."""
    search = _parse(filters.query)
    conditions = _conditions(filters)
    offset = (number - 1) * per_page
    found = _found(filters, search, conditions) if search is not None and search.condition is None else None
    if found is not None:  # a search matching few people: all of them, sorted, in hand
        total = len(found)
        ids = [uid for _key, uid in found[offset:offset + per_page]]
    elif search is None:
        total = listed_count(filters)
        ids = _page_ids(conditions, total, offset, per_page) if offset < total else []
    else:  # a whole phone number, or words matching very many: walk the ward in name order
        if search.condition is not None:
            conditions.append(search.condition)
        else:
            conditions += [_has_term(User.id, ranges) for ranges in search.terms]
        total = _count_upto(sa.select(User.id).where(*conditions), SEARCH_COUNT_CAP + 1)
        ids = _page_ids(conditions, None, offset, per_page) if offset < total else []
    capped = search is not None and total > SEARCH_COUNT_CAP
    if capped:
        total = SEARCH_COUNT_CAP
    if offset >= total:
        return Page([], total, number, per_page, capped)
    return Page(_people_rows(ids), total, number, per_page, capped)


def matching_people(ward_id: int, query: str, limit: int = 20, *, exclude_erased: bool = True) -> list[int]:
    """Ids of a ward's people matching a search, in name order, at most `limit` (for pickers)."""
    filters = PeopleFilter(ward_id, query=query, kind="all")
    search = _parse(query)
    if search is None:
        return []
    conditions = _conditions(filters) + ([User.erased_at.is_(None)] if exclude_erased else [])
    if search.condition is not None:
        conditions.append(search.condition)
    else:
        found = _found(filters, search, conditions)
        if found is not None:
            return [uid for _key, uid in found[:limit]]
        conditions += [_has_term(User.id, ranges) for ranges in search.terms]
    return list(db.session.scalars(sa.select(User.id).where(*conditions)
                                   .order_by(User.sort_key, User.id).limit(limit)))


# --- the /people/ page ------------------------------------------------------------------------


def filter_messages() -> dict[str, str]:
    from flask_babel import gettext as _

    return {
        "ward": _("Không có phường/xã này. Hãy chọn lại."),
        "group": _("Tổ dân phố / thôn này không thuộc phường. Hãy chọn lại trong danh sách."),
        "audience": _("Không có đối tượng này. Hãy chọn lại trong danh sách."),
        "status": _("Không có trạng thái này. Hãy chọn lại trong danh sách."),
        "who": _("Không có nhóm người này. Hãy chọn lại trong danh sách."),
    }


def find_people(ward_id: int, query: str, limit: int = 20) -> list[User]:
    """People of a ward matching a phone number (in full, or its first or last digits) or a name
    typed with or without diacritics (each word typed starts a word of the name), looked up on the
    words index (matching_people); those whose diacritics match exactly come first, then
    Vietnamese name order."""
    query = clean(query)
    if not query:
        return []
    ids = matching_people(ward_id, query, limit=limit * 5)
    if not ids:
        return []
    names = dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())
    exact = query.casefold()
    ranked = sorted((i for i in ids if i in names), key=lambda i: 0 if exact in names[i].casefold() else 1)[:limit]
    people = {u.id: u for u in db.session.scalars(
        sa.select(User).options(sa.orm.joinedload(User.group)).where(User.id.in_(ranked))).unique()}
    return [people[i] for i in ranked if i in people]


def people_listing(user):
    """Read the filters from the query string, check them, and render one page of people."""
    from flask import render_template, request
    from flask_babel import format_number

    from lms.cohorts.services import ward_groups
    from lms.courses.models import AUDIENCES
    from lms.paging import check_in_range, page_number
    from lms.wards.models import Ward

    number = page_number()
    admin = user.has_role("admin")
    wards = db.session.scalars(sa.select(Ward).order_by(Ward.name)).all() if admin else []
    error = None
    ward_id = user.ward_id
    if admin:
        ward_id = request.args.get("ward", type=int)
        if request.args.get("ward") and ward_id not in {w.id for w in wards}:
            error, ward_id = "ward", None
    groups = ward_groups(ward_id) if ward_id else []
    group_id = request.args.get("group", type=int) if request.args.get("group") else None
    if request.args.get("group") and group_id not in {g.id for g in groups}:
        error, group_id = error or "group", None
    audience = request.args.get("audience") or None
    if audience and audience not in AUDIENCES:
        error, audience = error or "audience", None
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        error, status = error or "status", None
    kind = request.args.get("who") or "learners"
    if kind not in KINDS:
        error, kind = error or "who", "learners"
    query = (request.args.get("q") or "")[:100]
    filters = PeopleFilter(ward_id, group_id, audience, status, query, kind)
    args = {"ward": ward_id if admin else None, "group": group_id, "audience": audience, "status": status,
            "q": query or None, "who": None if kind == "learners" else kind}
    context = dict(filters=filters, groups=groups, wards=wards, audiences=AUDIENCES, statuses=STATUSES, kinds=KINDS,
                   args=args, number=format_number, admin=admin)
    if error:
        page = Page([], 0, 1)
        return render_template("accounts/people.html", page=page, error=filter_messages()[error], **context), 400
    if not admin and ward_id is None:
        page = Page([], 0, 1)
    else:
        page = check_in_range(people_page(filters, number))
    return render_template("accounts/people.html", page=page, error=None, **context)
