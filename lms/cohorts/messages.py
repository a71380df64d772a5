"""Plain Vietnamese for every rule the cohorts feature can refuse, looked up by code."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import format_number, ngettext

FIELD_LABELS = {
    "full_name": lambda: _("Họ và tên"),
    "phone": lambda: _("Số điện thoại"),
}


def _shared_limit() -> int:
    from lms.accounts.services import SHARED_PHONE_LIMIT

    return SHARED_PHONE_LIMIT


def cohort_error(code: str) -> str:
    return {
        "name_required": lambda: _("Hãy nhập tên lớp."),
        "choice_invalid": lambda: _("Lựa chọn không thuộc phường của lớp. Hãy chọn lại."),
        "consent_required": lambda: _("Cần có sự đồng ý của người học trước khi lưu thông tin."),
        "support_consent_required": lambda: _("Chỉ ghi nhận nhu cầu hỗ trợ tiếp cận khi người học đồng ý riêng."),
        "person_inactive": lambda: _("Tài khoản này đã bị tắt hoặc đã xoá, không thể ghi danh."),
        "member_staff": lambda: _("Tài khoản cán bộ (giảng viên, cán bộ điều phối, quản trị) không ghi danh "
                                  "làm học viên của lớp. Hãy dùng một tài khoản học viên."),
        "member_other_ward": lambda: _("Lớp này thuộc phường/xã khác với phường/xã của bạn nên bạn không vào "
                                       "được. Hãy hỏi cán bộ phường của bạn mã lớp của phường mình."),
        "code_unknown": lambda: _("Không có lớp nào có mã này. Hãy kiểm tra lại mã trên thẻ hoặc trên màn hình."),
        "already_erased": lambda: _("Dữ liệu của người này đã được xoá trước đó."),
        "erase_self": lambda: _("Bạn không thể tự xoá dữ liệu của chính mình ở đây. Hãy nhờ một cán bộ khác."),
        "erase_admin": lambda: _("Chỉ quản trị mới xoá được dữ liệu của một quản trị."),
        "phone_taken": lambda: _("Số điện thoại này đã có người dùng. Hãy tìm người đó ở ô tìm kiếm phía trên."),
        "phone_not_shareable": lambda: _("Số điện thoại này không dùng chung được: chỉ người học trong cùng "
                                         "phường mới dùng chung một số. Hãy để trống số điện thoại; người học "
                                         "đăng nhập bằng thẻ."),
        "phone_full": lambda: _("Đã có %(num)d người dùng chung số điện thoại này, không thêm được nữa. Hãy để "
                                "trống số điện thoại; người học đăng nhập bằng thẻ.", num=_shared_limit()),
        "person_exists": lambda: _("Người này (cùng họ tên, năm sinh, tổ dân phố và số điện thoại) đã có trong "
                                   "phường. Hãy tìm người đó ở ô tìm kiếm phía trên."),
    }.get(code, lambda: _("Yêu cầu chưa thực hiện được."))()


def _number(value) -> str:
    """A limit as people read it: 150.000 in Vietnamese, 150,000 in English."""
    return format_number(value) if isinstance(value, int) else str(value or "")


def sheet_error(code: str, params: dict | None = None) -> str:
    """Why a whole file is refused; nothing was written."""
    params = params or {}
    if code == "missing_columns":
        names = ", ".join(f"“{FIELD_LABELS[f]()}”" for f in params.get("fields", []))
        return _("Tệp thiếu cột bắt buộc: %(names)s. Hãy thêm cột này vào dòng tiêu đề rồi tải lên lại.",
                 names=names)
    if code == "duplicate_column":
        return _("Cột “%(name)s” xuất hiện hai lần. Hãy giữ lại một cột.", name=params.get("name", ""))
    if code == "too_many_rows":
        return _("Tệp có quá nhiều dòng (tối đa %(limit)s người mỗi lần). Hãy chia thành nhiều tệp.",
                 limit=params.get("limit", ""))
    if code == "too_many_columns":
        return _("Tệp có quá nhiều cột (tối đa %(limit)s cột). Hãy chỉ giữ các cột của danh sách, "
                 "xoá các cột thừa ở bên phải rồi tải lên lại.", limit=_number(params.get("limit")))
    if code == "too_many_cells":
        return _("Tệp có quá nhiều ô (tối đa %(limit)s ô). Hãy chỉ giữ các cột của danh sách, "
                 "hoặc chia thành nhiều tệp.", limit=_number(params.get("limit")))
    if code == "too_many_strings":
        return _("Tệp có quá nhiều ô chữ (tối đa %(limit)s). Hãy chia danh sách thành nhiều tệp.",
                 limit=_number(params.get("limit")))
    if code == "unpacked_too_big":
        return _("Tệp Excel khi mở ra lớn hơn %(limit)s MB, quá lớn cho một danh sách người học. "
                 "Hãy chép riêng danh sách sang một tệp mới rồi tải lên lại.", limit=params.get("limit", ""))
    return {
        "too_big": lambda: _("Tệp lớn hơn 5 MB. Hãy chia danh sách thành nhiều tệp nhỏ hơn."),
        "empty": lambda: _("Tệp trống, không có dòng nào."),
        "no_rows": lambda: _("Tệp chỉ có dòng tiêu đề, chưa có người nào."),
        "type": lambda: _("Chỉ nhận tệp Excel (.xlsx), CSV (.csv) hoặc Unicode Text (.txt)."),
        "old_excel": lambda: _("Đây là tệp Excel kiểu cũ (.xls). Hãy mở tệp trong Excel và lưu lại "
                               "dưới dạng .xlsx hoặc CSV UTF-8."),
        "broken": lambda: _("Không đọc được tệp: tệp có thể bị hỏng. Hãy mở tệp trong Excel và lưu lại."),
        "too_complex": lambda: _("Tệp có quá nhiều định dạng hoặc thành phần khác ngoài danh sách. Hãy chép riêng "
                                 "danh sách (chỉ giá trị) sang một tệp Excel mới rồi tải lên lại."),
        "unsafe": lambda: _("Tệp có cấu trúc bất thường (nén quá mức, lồng quá sâu hoặc có khai báo XML lạ) "
                            "nên không được mở. Hãy mở tệp trong Excel, lưu lại dưới dạng .xlsx rồi tải lên lại."),
        "encoding": lambda: _("Không đọc được chữ trong tệp. Hãy lưu lại dưới dạng “CSV UTF-8” hoặc .xlsx."),
        "consent_required": lambda: _("Cần xác nhận sự đồng ý trước khi ghi danh."),
    }.get(code, lambda: _("Không đọc được tệp."))()


# Row codes that all read as phone_unavailable(); the older two may still sit in a preview kept
# before this rule, and must not say more than the new one.
UNAVAILABLE_CODES = ("phone_unavailable", "phone_other_ward", "person_inactive")


def row_error(code: str, params: dict) -> str:
    """Why one row of a file will not be written."""
    if code == "phone_invalid":
        return _("Số điện thoại “%(value)s” chưa đúng: cần số di động Việt Nam 10 chữ số.",
                 value=params.get("value", ""))
    if code == "birth_year_invalid":
        return _("Năm sinh “%(value)s” không thể đúng (cần từ 1900 đến %(max)s).",
                 value=params.get("value", ""), max=params.get("max", ""))
    if code == "duplicate":
        return _("Trùng số điện thoại với dòng %(line)s trong tệp.", line=params.get("line", ""))
    if code == "duplicate_row":
        return _("Trùng họ tên, năm sinh, tổ dân phố và số điện thoại với dòng %(line)s trong tệp.",
                 line=params.get("line", ""))
    if code == "phone_full":
        return _("Đã có %(num)d người dùng chung số điện thoại này, không thêm được nữa. Hãy để trống số "
                 "điện thoại của người này trong tệp; họ đăng nhập bằng thẻ.", num=params.get("num", 4))
    if code == "group_unknown":
        return _("Phường chưa có tổ dân phố hoặc thôn “%(value)s”.", value=params.get("value", ""))
    if code == "support_unclear":
        return _("Cột “cần hỗ trợ tiếp cận” ghi “%(value)s”: hãy ghi “có” hoặc để trống.",
                 value=params.get("value", ""))
    if code == "phone_other_name":
        return _("Số điện thoại này đã là của người khác tên trong phường. Nếu là cùng một người, hãy sửa "
                 "tên trong tệp cho đúng; nếu là người khác dùng chung số, hãy ghi danh người này "
                 "ở trang “Ghi danh từng người”.")
    if code in UNAVAILABLE_CODES:
        return phone_unavailable()
    return {
        "name_missing": lambda: _("Thiếu họ và tên."),
        "phone_missing": lambda: _("Thiếu số điện thoại."),
    }.get(code, lambda: _("Dòng này chưa đúng."))()


def phone_unavailable() -> str:
    """A number that may not be enrolled here, whatever the reason (a staff account, another ward,
    an account switched off): the same words, which say nothing about who holds it."""
    return _("Số điện thoại này không dùng được cho lớp này. Hãy kiểm tra lại hoặc hỏi quản trị viên.")


def people_count(num: int) -> str:
    return ngettext("%(num)d người", "%(num)d người", num)
