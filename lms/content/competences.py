"""The digital-skills framework codes that course and lesson metadata may use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Competence:
    """One competence of the framework, named in Vietnamese and English."""

    code: str
    vi: str
    en: str

    def name(self, lang: str) -> str:
        """Return the name in `lang`, falling back to Vietnamese."""
        return self.en if lang == "en" else self.vi


# Thông tư 02/2025/TT-BGDĐT (domains 1–6) plus the citizens' group 0 from Quyết định
# 757/QĐ-BKHCN; indicator codes below competence level are not confirmed, so we stop here.
_ROWS: tuple[tuple[str, str, str], ...] = (
    ("0.1", "Sử dụng thiết bị số (điện thoại, máy tính)", "Using a digital device"),
    ("0.2", "Cài đặt, cập nhật và sử dụng ứng dụng", "Installing, updating and using apps"),
    ("1.1", "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số",
     "Browsing, searching and filtering information"),
    ("1.2", "Đánh giá dữ liệu, thông tin và nội dung số", "Evaluating information"),
    ("1.3", "Quản lý dữ liệu, thông tin và nội dung số", "Managing information"),
    ("2.1", "Tương tác qua công nghệ số", "Interacting through digital technologies"),
    ("2.2", "Chia sẻ thông tin và nội dung qua công nghệ số", "Sharing through digital technologies"),
    ("2.3", "Sử dụng công nghệ số để thực hiện trách nhiệm công dân",
     "Citizenship through digital technologies (public services)"),
    ("2.4", "Hợp tác qua công nghệ số", "Collaborating through digital technologies"),
    ("2.5", "Quy tắc ứng xử trên mạng", "Netiquette"),
    ("2.6", "Quản lý danh tính số", "Managing digital identity"),
    ("3.1", "Phát triển nội dung số", "Developing digital content"),
    ("3.2", "Tích hợp và tạo lập lại nội dung số", "Integrating and re-elaborating content"),
    ("3.3", "Thực thi bản quyền và giấy phép", "Copyright and licences"),
    ("3.4", "Lập trình", "Programming"),
    ("4.1", "Bảo vệ thiết bị", "Protecting devices"),
    ("4.2", "Bảo vệ dữ liệu cá nhân và quyền riêng tư", "Protecting personal data and privacy"),
    ("4.3", "Bảo vệ sức khỏe và an sinh số", "Protecting health and well-being"),
    ("4.4", "Bảo vệ môi trường", "Protecting the environment"),
    ("5.1", "Giải quyết vấn đề kỹ thuật", "Solving technical problems"),
    ("5.2", "Xác định nhu cầu và giải pháp công nghệ", "Identifying needs and technological responses"),
    ("5.3", "Sử dụng sáng tạo công nghệ số", "Creatively using digital technologies"),
    ("5.4", "Xác định vấn đề cần cải thiện về năng lực số", "Identifying digital competence gaps"),
    ("6.1", "Hiểu biết về trí tuệ nhân tạo", "Understanding AI"),
    ("6.2", "Sử dụng trí tuệ nhân tạo", "Using AI"),
    ("6.3", "Đánh giá trí tuệ nhân tạo", "Evaluating AI"),
)

COMPETENCES: dict[str, Competence] = {code: Competence(code, vi, en) for code, vi, en in _ROWS}

# Tiers mirror DigComp; the mapping is not confirmed for Vietnam (framework notes).
LEVEL_TIERS: dict[int, tuple[str, str]] = {
    1: ("cơ bản", "basic"), 2: ("cơ bản", "basic"),
    3: ("trung cấp", "intermediate"), 4: ("trung cấp", "intermediate"),
    5: ("nâng cao", "advanced"), 6: ("nâng cao", "advanced"),
    7: ("chuyên sâu", "highly specialised"), 8: ("chuyên sâu", "highly specialised"),
}


def competence_name(code: str, lang: str = "vi") -> str | None:
    """Return the competence's name in `lang`, or None for an unknown code."""
    competence = COMPETENCES.get(code)
    return competence.name(lang) if competence else None
