"""Enrolment from a spreadsheet: check every row, keep the preview, write it all on confirmation.

The rows are checked and stored once (StagedImport); the confirmation writes exactly those rows
in one transaction, and a second confirmation finds the import already claimed and does nothing.
"""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.accounts import policy
from lms.accounts.models import User, UserRole
from lms.accounts.names import index_people, name_keys
from lms.accounts.phone import InvalidPhone, normalise_phone
from lms.cohorts.models import Cohort, Enrollment, StagedImport
from lms.cohorts.sheets import Sheet, SheetError
from lms.cohorts.signals import households_named
from lms.cohorts.text import clean, fold, tidy_name
from lms.extensions import db
from lms.timeutil import utcnow
from lms.wards.models import ResidentialGroup

STAGE_HOURS = 2
# A name a spreadsheet would run as a formula: kept as written (exports neutralise it), but
# flagged in the preview so the coordinator looks at it.
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_IGNORED_NAMED = 20
# The phone column must be there, but a row may leave it empty: not everyone has a phone of their own.
REQUIRED = ("full_name", "phone")
# Headings as people write them, compared without case, diacritics or punctuation.
HEADINGS = {
    "full_name": ("ho va ten", "ho ten", "ten", "ho va ten hoc vien", "ho ten hoc vien", "ten hoc vien",
                  "ho va ten nguoi hoc", "full name", "name"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so dt", "dt", "so di dong", "di dong",
              "dien thoai di dong", "phone", "mobile", "phone number"),
    # Lists that split the name: "Họ và tên đệm" | "Tên".
    "family_name": ("ho dem", "ho va ten dem", "ho va dem", "ho va chu dem", "ho va ten lot", "ho lot"),
    # A full date of birth is read too, and only its year is kept (least personal data).
    "birth_year": ("nam sinh", "birth year", "year of birth", "ngay sinh", "ngay thang nam sinh",
                   "ngay thang sinh", "date of birth", "birth date", "nam sinh ngay sinh"),
    "group": ("to dan pho", "tdp", "thon", "to dan pho thon", "thon to dan pho", "to", "khu pho",
              "to dan pho khu pho", "cho", "residential group"),
    "household": ("ho gia dinh", "ho", "household"),
    "accessibility": ("can ho tro tiep can", "ho tro tiep can", "can ho tro", "accessibility support"),
    # Read and ignored: a row number, and notes that may hold what we must not keep (a diagnosis).
    "ignored": ("stt", "tt", "so thu tu", "ghi chu", "note", "notes"),
}
_HEADING_LOOKUP = {heading: key for key, headings in HEADINGS.items() for heading in headings}
_YES = {"co", "x", "1", "yes", "y", "true", "c", "can", "co can"}
_NO = {"", "khong", "0", "no", "n", "false", "k", "ko", "khong can"}
_GROUP_WORDS = {"to", "dan", "pho", "tdp", "thon", "khu", "cho", "so", "ap", "xom", "bon", "ban"}
_DATE_TEXT = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-](\d{4})$|^(\d{4})[/.\-]\d{1,2}[/.\-]\d{1,2}$")


def _heading_words(text: object) -> str:
    return " ".join(re.sub(r"\(.*?\)|[^0-9a-z]+", " ", fold(text)).split())


def heading_key(text: object) -> str | None:
    """Which column a heading names, or None when it is not one we know."""
    return _HEADING_LOOKUP.get(_heading_words(text))


def column_letter(index: int) -> str:
    """A, B, … Z, AA for a 0-based column index, as spreadsheet programs name columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _find_header(sheet: Sheet) -> int:
    """Index in sheet.rows of the heading row: a title line or two above it is allowed."""
    for position, (_, cells) in enumerate(sheet.rows[:10]):
        keys = {heading_key(c) for c in cells if clean(c)}
        if len(keys - {None, "ignored"}) >= 2 or keys & set(REQUIRED):
            return position
    return 0


def _filled_blank_columns(headings: list, rows: list[tuple[int, list]]) -> set[int]:
    """Columns with no heading that hold something below it, in one pass over the cells
    (not one pass over the rows per column: two million blank headings took tens of minutes)."""
    blank = {index for index, heading in enumerate(headings) if not clean(heading)}
    found: set[int] = set()
    if not blank:
        return found
    for _, cells in rows:
        for index, value in enumerate(cells):
            if index in blank and index not in found and value is not None and clean(value):
                found.add(index)
    return found


def map_columns(sheet: Sheet) -> tuple[int, dict[str, int]]:
    """(heading row position, column of each field); refuses doubled or missing columns."""
    position, columns, _ = read_columns(sheet)
    return position, columns


def read_columns(sheet: Sheet) -> tuple[int, dict[str, int], list[str]]:
    """(heading row position, column of each field, the columns ignored).

    A column the importer does not know is ignored, never a reason to refuse the file: ward lists
    carry their own columns ("Nhóm", "Số CCCD"…). Nothing of it is read or kept; the preview names
    it so the coordinator knows. Doubled or missing columns are still refused."""
    position = _find_header(sheet)
    _, headings = sheet.rows[position]
    columns: dict[str, int] = {}
    unknown: list[str] = []
    with_data = _filled_blank_columns(headings, sheet.rows[position + 1:])
    for index, heading in enumerate(headings):
        text = clean(heading)
        if not text:
            if index in with_data:
                unknown.append(column_letter(index))
            continue
        key = heading_key(text)
        if key is None:
            unknown.append(f"{column_letter(index)} “{text[:40]}”")
        elif key == "ignored":
            continue
        elif key in columns:
            raise SheetError("duplicate_column", name=text)
        else:
            columns[key] = index
    given_only = "full_name" in columns and _heading_words(headings[columns["full_name"]]) == "ten"
    if given_only and "family_name" not in columns and "household" in columns \
            and _heading_words(headings[columns["household"]]) == "ho":
        # "Họ" beside "Tên" is the family name, not the household.
        columns["family_name"] = columns.pop("household")
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        raise SheetError("missing_columns", fields=missing)
    return position, columns, unknown


def _cell(cells: list, columns: dict[str, int], key: str):
    index = columns.get(key)
    return cells[index] if index is not None and index < len(cells) else None


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(value)


def _birth_year(value) -> int | None | str:
    """The year, None when empty, or "bad"; a full date keeps only its year (least data)."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value.year
    if isinstance(value, bool):
        return "bad"
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else "bad"
    text = clean(value)
    if not text:
        return None
    if re.fullmatch(r"\d{4}(\.0)?", text):
        return int(text[:4])
    found = _DATE_TEXT.match(text)
    if found:
        return int(found.group(1) or found.group(2))
    return "bad"


def _group_core(folded: str) -> str:
    words = folded.replace(".", " ").split()
    while words and words[0] in _GROUP_WORDS:
        words = words[1:]
    return " ".join(words)


class _Groups:
    """Matches what a file writes ("TDP 1", "tổ 1", "Tổ dân phố số 1") to the ward's groups."""

    def __init__(self, ward_id: int):
        groups = db.session.scalars(sa.select(ResidentialGroup).where(
            ResidentialGroup.ward_id == ward_id, ResidentialGroup.retired_at.is_(None))).all()
        self.by_name = {fold(g.name): g for g in groups}
        self.by_core: dict[str, list[ResidentialGroup]] = {}
        for g in groups:
            self.by_core.setdefault(_group_core(fold(g.name)), []).append(g)

    def find(self, text: str) -> ResidentialGroup | None:
        folded = fold(text)
        if folded in self.by_name:
            return self.by_name[folded]
        candidates = self.by_core.get(_group_core(folded), [])
        return candidates[0] if len(candidates) == 1 else None


def check_rows(sheet: Sheet, cohort: Cohort) -> list[dict]:
    """Every data row with its line number, what will happen to it and, if bad, why."""
    return check_sheet(sheet, cohort)[0]


def check_sheet(sheet: Sheet, cohort: Cohort) -> tuple[list[dict], list[str]]:
    """(the rows as check_rows gives them, the columns that were ignored)."""
    position, columns, ignored = read_columns(sheet)
    groups = _Groups(cohort.ward_id)
    max_year = date.today().year - 5
    rows: list[dict] = []
    first_line: dict[str, tuple[int, str]] = {}
    first_person: dict[tuple, int] = {}
    for line, cells in sheet.rows[position + 1:]:
        errors: list[list] = []
        name = tidy_name(" ".join(filter(None, (_text(_cell(cells, columns, "family_name")),
                                                _text(_cell(cells, columns, "full_name"))))))[:120]
        phone_text = _text(_cell(cells, columns, "phone")).lstrip("'")
        phone = None
        if not name:
            errors.append(["name_missing", {}])
        if phone_text:
            try:
                phone = normalise_phone(phone_text)
            except InvalidPhone:
                errors.append(["phone_invalid", {"value": phone_text[:40]}])
        year = _birth_year(_cell(cells, columns, "birth_year"))
        if year == "bad" or (isinstance(year, int) and not 1900 <= year <= max_year):
            errors.append(["birth_year_invalid", {"value": _text(_cell(cells, columns, "birth_year"))[:20],
                                                  "max": max_year}])
            year = None
        group_text = _text(_cell(cells, columns, "group"))[:120]
        group_id = cohort.group_id
        if group_text:
            group = groups.find(group_text)
            if group is None:
                errors.append(["group_unknown", {"value": group_text}])
            else:
                group_id = group.id
        support_text = fold(_text(_cell(cells, columns, "accessibility")))
        if support_text not in _YES | _NO:
            errors.append(["support_unclear", {"value": _text(_cell(cells, columns, "accessibility"))[:20]}])
        ask = None
        person = (fold(name), year, group_id, phone)
        if name and person in first_person:
            errors.append(["duplicate_row", {"line": first_person[person]}])
        elif name:
            first_person[person] = line
        if phone:
            if phone not in first_line:
                first_line[phone] = (line, fold(name))
            elif first_line[phone][1] == fold(name):
                errors.append(["duplicate", {"line": first_line[phone][0]}])
            elif not errors:
                # A housemate further up the file has this number: the coordinator confirms.
                ask = "share"
        rows.append({
            "line": line, "name": name, "phone": phone, "phone_text": phone_text[:40],
            "birth_year": year, "group_id": group_id, "group_text": group_text,
            "household": _text(_cell(cells, columns, "household"))[:160] or None,
            "support": support_text in _YES, "errors": errors,
            "status": "error" if errors else ("ask" if ask else "new"),
            "user_id": None, "known_name": None, "formula": name[:1] in FORMULA_STARTS,
            "consented": False, "support_consented": False,
            "ask": ask, "share_line": first_line[phone][0] if ask else None, "candidate_id": None,
            "candidate": None,
        })
    if not rows:
        raise SheetError("no_rows")
    _match_people(rows, cohort)
    return rows, ignored[:MAX_IGNORED_NAMED]


def _people_by_phone(phones: list[str]) -> dict[str, list[User]]:
    """Everyone holding each number: a number may be shared by a household."""
    found: dict[str, list[User]] = {}
    for start in range(0, len(phones), 500):
        chunk = phones[start:start + 500]
        for user in db.session.scalars(sa.select(User).where(User.phone.in_(chunk)).order_by(User.id)).unique():
            found.setdefault(user.phone, []).append(user)
    return found


def _enrolled_ids(cohort: Cohort) -> set[int]:
    return set(db.session.scalars(sa.select(Enrollment.user_id).where(Enrollment.cohort_id == cohort.id)))


def _same_name(people: list[User], name: str) -> User | None:
    wanted = fold(name)
    return next((user for user in people if fold(user.full_name) == wanted), None)


def _match_people(rows: list[dict], cohort: Cohort) -> None:
    """Mark rows whose phone already belongs to someone, or who may be someone the ward has.

    Only learners of the cohort's own ward are matched (policy.importable). Anyone else (a staff
    account, someone of another ward or of none, an account switched off) makes the row an error
    that says the same thing whatever the reason, and nothing of that person is kept in the row:
    a staff member's number is never shared with a learner.

    A number held in the ward by learners of other names may be a housemate's: the row asks the
    coordinator ("ask": "share"), never taken for one of them (a son's number must not enrol his
    mother as the son), and at most SHARED_PHONE_LIMIT people share a number. A row with the
    name (folded), birth year and group of a learner of the ward asks "same person or another?"
    ("ask": "same")."""
    from lms.accounts.services import SHARED_PHONE_LIMIT

    wanted = [r for r in rows if r["status"] != "error"]
    people = _people_by_phone([r["phone"] for r in wanted if r["phone"]])
    enrolled = _enrolled_ids(cohort)
    on_number: dict[str, int] = {}
    for row in wanted:
        holders = people.get(row["phone"], []) if row["phone"] else []
        if any(not policy.importable(user, cohort.ward_id) for user in holders):
            _refuse(row, "phone_unavailable")
            continue
        user = _same_name(holders, row["name"]) if holders else None
        if user is not None:
            row["user_id"] = user.id
            row["status"] = "enrolled" if user.id in enrolled else "existing"
            row["ask"] = None
            row["consented"] = user.data_consent_at is not None
            row["support_consented"] = user.accessibility_consent_at is not None
            continue
        if row["phone"]:
            on_number[row["phone"]] = on_number.get(row["phone"], len(holders)) + 1
            if on_number[row["phone"]] > SHARED_PHONE_LIMIT:
                _refuse(row, "phone_full", {"num": SHARED_PHONE_LIMIT})
                continue
        if holders:
            row["status"], row["ask"] = "ask", "share"
            row["known_name"] = ", ".join(u.full_name for u in holders[:3])
    _match_same_people([r for r in wanted if r["status"] in ("new", "ask")], cohort)


def _refuse(row: dict, code: str, params: dict | None = None) -> None:
    row["errors"].append([code, params or {}])
    row["status"], row["ask"] = "error", None


def _ward_people_named(ward_id: int, keys: set[str]) -> list[User]:
    """The ward's people (not erased) whose folded name is one of `keys`."""
    found: list[User] = []
    keys = sorted(keys)
    for start in range(0, len(keys), 500):
        found += db.session.scalars(sa.select(User).where(
            User.ward_id == ward_id, User.name_key.in_(keys[start:start + 500]), User.erased_at.is_(None))
            .order_by(User.id)).unique().all()
    return found


def _compatible(user: User, row: dict) -> bool:
    """Same birth year and group where both are known (the name was compared already)."""
    return ((not row["birth_year"] or not user.birth_year or user.birth_year == row["birth_year"])
            and (not row["group_id"] or not user.group_id or user.group_id == row["group_id"]))


def _match_same_people(rows: list[dict], cohort: Cohort) -> None:
    named: dict[str, list[User]] = {}
    for user in _ward_people_named(cohort.ward_id, {name_keys(r["name"])[0] for r in rows}):
        named.setdefault(user.name_key, []).append(user)
    for row in rows:
        candidates = [u for u in named.get(name_keys(row["name"])[0], [])
                      if _compatible(u, row) and policy.importable(u, cohort.ward_id)]
        if not candidates:
            continue
        user = candidates[0]
        row["status"], row["ask"], row["candidate_id"] = "ask", "same", user.id
        row["candidate"] = {"name": user.full_name, "birth_year": user.birth_year,
                            "group": user.group.name if user.group else None, "phone": user.phone}


def recheck_groups(staged: StagedImport, cohort: Cohort) -> int:
    """After groups were added to the ward: rows that failed only for their group are checked
    again. Returns how many rows changed."""
    groups = _Groups(cohort.ward_id)
    rows = [dict(row) for row in staged.rows]
    changed = []
    for row in rows:
        codes = [code for code, _ in row["errors"]]
        if "group_unknown" not in codes:
            continue
        group = groups.find(row["group_text"])
        if group is None:
            continue
        row["group_id"] = group.id
        row["errors"] = [error for error in row["errors"] if error[0] != "group_unknown"]
        if not row["errors"]:
            row["status"] = "new"
            changed.append(row)
    _match_people(changed, cohort)
    staged.rows = rows
    return len(changed)


def unknown_groups(rows: list[dict]) -> list[str]:
    """The groups named in the file that the ward does not have, once each, as first written."""
    seen: dict[str, str] = {}
    for row in rows:
        for code, params in row["errors"]:
            if code == "group_unknown":
                seen.setdefault(fold(params.get("value", "")), params.get("value", ""))
    return [name for name in seen.values() if name]


def needs_consent(rows: list[dict]) -> tuple[bool, bool]:
    """(is the general consent still to be confirmed, is the accessibility one): not for people
    who gave it before."""
    wanted = [r for r in rows if r["status"] in ("new", "existing", "ask")]
    data = any(not r.get("consented") for r in wanted)
    support = any(r["support"] and not r.get("support_consented") for r in wanted)
    return data, support


def summarise(rows: list[dict]) -> dict[str, int]:
    """How many rows will create a person, enrol someone known, are already in, or are bad."""
    counts = {"new": 0, "existing": 0, "enrolled": 0, "error": 0, "ask": 0, "support": 0}
    for row in rows:
        counts[row["status"]] += 1
        if row["support"] and row["status"] in ("new", "existing"):
            counts["support"] += 1
    counts["total"] = len(rows)
    return counts


def purge_expired_imports() -> int:
    """Delete previews past their time, confirmed or not (STAGE_HOURS): the people's rows in them
    are not kept waiting. Run on every upload and every erasure."""
    return db.session.execute(sa.delete(StagedImport).where(StagedImport.expires_at < utcnow())
                              .execution_options(synchronize_session=False)).rowcount


def stage_import(cohort: Cohort, owner: User, filename: str, sheet: Sheet) -> StagedImport:
    """Check a sheet and keep the result for the owner to confirm; raises SheetError when unreadable."""
    rows, ignored = check_sheet(sheet, cohort)
    now = utcnow()
    purge_expired_imports()
    staged = StagedImport(
        key=secrets.token_urlsafe(24), cohort_id=cohort.id, ward_id=cohort.ward_id, owner_id=owner.id,
        filename=clean(filename)[:255] or "-", rows=rows, expires_at=now + timedelta(hours=STAGE_HOURS),
        # Until the confirmation writes its own result, this holds what the preview must say.
        result={"ignored_columns": ignored} if ignored else None,
    )
    db.session.add(staged)
    db.session.flush()
    return staged


def ignored_columns(staged: StagedImport) -> list[str]:
    return list((staged.result or {}).get("ignored_columns", [])) if staged.confirmed_at is None else []


def find_staged(cohort: Cohort, owner: User, key: str) -> StagedImport | None:
    """The owner's staged import for this cohort, or None (someone else's is never shown)."""
    return db.session.scalar(sa.select(StagedImport).where(
        StagedImport.key == key, StagedImport.cohort_id == cohort.id,
        StagedImport.ward_id == cohort.ward_id, StagedImport.owner_id == owner.id,
    ))


def apply_choices(rows: list[dict], choices: dict[int, str]) -> list[dict]:
    """The rows as the coordinator decided the questions of the preview: for a row that asked,
    "same" enrols the learner it may be, "new" creates another person (on the shared number);
    a row left unanswered is not written."""
    decided = []
    for row in rows:
        if row["status"] == "ask":
            choice = choices.get(row["line"])
            row = dict(row)
            if choice == "same" and row["ask"] == "same":
                row["status"], row["chosen_id"] = "existing", row["candidate_id"]
            elif choice == "new":
                row["status"], row["share_ok"] = "new", True
            else:
                row["status"] = "unanswered"
        decided.append(row)
    return decided


def confirm_import(staged: StagedImport, by: User, *, consent: bool, support_consent: bool,
                   choices: dict[int, str] | None = None) -> dict | None:
    """Write the previewed rows in the caller's transaction; None if it was already confirmed
    or has expired (the claim is one UPDATE, so two confirmations racing write once).

    The consent is asked only when someone in the list has not given it before; `choices`
    answers the rows that asked (apply_choices)."""
    if not consent and needs_consent(staged.rows)[0]:
        raise SheetError("consent_required")
    now = utcnow()
    claimed = db.session.execute(
        sa.update(StagedImport)
        .where(StagedImport.id == staged.id, StagedImport.confirmed_at.is_(None), StagedImport.expires_at > now)
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    cohort = db.session.get(Cohort, staged.cohort_id)
    rows = apply_choices(staged.rows, choices or {})
    result = _write_rows(cohort, rows, by, now, consent, support_consent)
    result["skipped"] += sum(1 for r in rows if r["status"] == "unanswered")
    staged.confirmed_at = now
    staged.result = result
    # The people are in the database now; a copy of their rows need not wait here any longer.
    staged.rows = []
    db.session.flush()
    return result


def _write_rows(cohort: Cohort, rows: list[dict], by: User, now: datetime, consent: bool,
                support_consent: bool) -> dict:
    """Create the new people and enrol everyone wanted; a known person is checked again with
    policy.importable (they may have changed since the preview) and is never moved between wards.

    Everything is looked up again: someone may have been created, renamed or enrolled since the
    preview. A row is written only for the person it named then; anything else is skipped."""
    from lms.accounts.services import SHARED_PHONE_LIMIT, lock_ward_people

    # Imports and enrolments of this ward write one after the other from here: what is read below
    # is what they committed (a racing import's people are matched, not created twice).
    lock_ward_people(cohort.ward_id)
    wanted = [r for r in rows if r["status"] in ("new", "existing")]
    holders = _people_by_phone([r["phone"] for r in wanted if r["phone"]])
    chosen_ids = [r["chosen_id"] for r in wanted if r.get("chosen_id")]
    chosen = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(chosen_ids))).unique()} \
        if chosen_ids else {}
    identical = {(u.name_key, u.birth_year, u.group_id, u.phone): u
                 for u in _ward_people_named(cohort.ward_id, {name_keys(r["name"])[0] for r in wanted})}
    enrolled = _enrolled_ids(cohort)
    fresh: list[dict] = []
    matched: list[tuple[dict, User]] = []
    seen: set[int] = set()
    on_number: dict[str, int] = {}
    skipped = 0
    for row in wanted:
        people = holders.get(row["phone"], []) if row["phone"] else []
        if any(not policy.importable(user, cohort.ward_id) for user in people):
            skipped += 1
            continue
        if row.get("chosen_id"):
            # "Cùng một người": the learner the preview showed, if still a learner of this ward.
            user = chosen.get(row["chosen_id"])
            if user is None or not policy.importable(user, cohort.ward_id) \
                    or user.name_key != name_keys(row["name"])[0]:
                skipped += 1
                continue
        else:
            user = _same_name(people, row["name"]) if people else None
            if user is None:
                # The same name, year, group and phone created since the preview: that person.
                user = identical.get((name_keys(row["name"])[0], row["birth_year"], row["group_id"], row["phone"]))
                if user is not None and not policy.importable(user, cohort.ward_id):
                    skipped += 1
                    continue
            if user is None:
                if people and not row.get("share_ok"):
                    skipped += 1  # the number was given to someone else since the preview
                    continue
                if row["phone"]:
                    on_number[row["phone"]] = on_number.get(row["phone"], len(people)) + 1
                    if on_number[row["phone"]] > SHARED_PHONE_LIMIT:
                        skipped += 1
                        continue
                fresh.append(row)
                continue
            if row["status"] == "existing" and row["user_id"] not in (None, user.id):
                skipped += 1
                continue
        if user.id in seen:
            skipped += 1
            continue
        seen.add(user.id)
        matched.append((row, user))
        support = bool(row["support"] and (support_consent or user.accessibility_consent_at))
        user.birth_year = user.birth_year or row["birth_year"]
        user.group_id = user.group_id or row["group_id"]
        if consent:
            user.data_consent_at = user.data_consent_at or now
        if support:
            user.needs_accessibility_support = True
            user.accessibility_consent_at = user.accessibility_consent_at or now
    created = _create_people(fresh, cohort, now, support_consent)
    to_enrol = matched + list(zip(fresh, created))
    enrolments = [{"cohort_id": cohort.id, "user_id": user.id, "source": "import", "enrolled_by_id": by.id,
                   "enrolled_at": now} for _, user in to_enrol if user.id not in enrolled]
    if enrolments:
        db.session.execute(sa.insert(Enrollment), enrolments)
    named = [(user, row["household"]) for row, user in to_enrol if row["household"]]
    if named:
        households_named.send(current_app._get_current_object(), cohort=cohort, households=named)
    db.session.flush()
    return {
        "created": len(created),
        "enrolled": len(enrolments),
        "skipped": skipped + len(to_enrol) - len(enrolments),
        "user_ids": [user.id for _, user in to_enrol],
    }


def _create_people(rows: list[dict], cohort: Cohort, now: datetime, support_consent: bool) -> list[User]:
    """New learners in bulk: no PIN (their card signs them in), consent as confirmed.

    Not accounts.create_user, which queries and flushes once per person: a 5,000-row file would
    take minutes. Every phone here was normalised, and checked to be free just now.
    """
    if not rows:
        return []
    values = [{
        "full_name": row["name"], "phone": row["phone"], "birth_year": row["birth_year"],
        "ward_id": cohort.ward_id, "group_id": row["group_id"], "secret_kind": "pin", "data_consent_at": now,
        "needs_accessibility_support": bool(row["support"] and support_consent),
        "accessibility_consent_at": now if row["support"] and support_consent else None,
        "is_active_account": True, "failed_logins": 0, "created_at": now,
    } for row in rows]
    # A bulk insert bypasses the ORM's events: the name keys and words are written here.
    for value in values:
        value["name_key"], value["sort_key"] = name_keys(value["full_name"])
    created = db.session.scalars(sa.insert(User).returning(User, sort_by_parameter_order=True), values).all()
    db.session.execute(sa.insert(UserRole), [{"user_id": u.id, "role": "learner", "granted_at": now}
                                             for u in created])
    index_people(db.session.connection(), [(u.id, u.ward_id, u.full_name, u.phone, False) for u in created])
    return list(created)
