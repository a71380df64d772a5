"""Enrolment from a spreadsheet: check every row, keep the preview, write it all on confirmation.

The rows are checked and stored once (StagedImport); the confirmation writes exactly those rows
in one transaction, and a second confirmation finds the import already claimed and does nothing.
"""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.phone import InvalidPhone, normalise_phone
from lms.cohorts.import_people import _match_people, _write_rows, apply_choices
from lms.cohorts.models import Cohort, StagedImport
from lms.cohorts.sheets import Sheet, SheetError
from lms.accounts.text import clean, fold, tidy_name
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
