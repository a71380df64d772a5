"""`python -m lms.content [ROOT]`: check the content folder without the web app."""

from __future__ import annotations

import sys
from pathlib import Path

from lms.content.check import check_content


def main(argv: list[str] | None = None) -> int:
    """Print every problem and a summary; 1 when something must be fixed, else 0."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path("content")
    tree, problems = check_content(root)
    for problem in problems:
        print(problem)
    lessons = sum(len(course.lessons) for course in tree.courses)
    if problems:
        print(f"Có {len(problems)} lỗi cần sửa. Sửa xong hãy chạy lại lệnh này.")
        return 1
    print(f"Không có lỗi nào: {len(tree.courses)} khoá học, {lessons} bài học đều đúng quy định.")
    return 0


if __name__ == "__main__":
    if hasattr(sys.stdout, "reconfigure"):
        # A console without UTF-8 must not crash on Vietnamese messages.
        sys.stdout.reconfigure(errors="replace")
    sys.exit(main())
