"""Build small content trees in a temporary folder: one valid course, then break it on purpose."""

from __future__ import annotations

import io
from pathlib import Path
from textwrap import dedent

import pytest
from PIL import Image

COURSE_YAML = """\
version: 1
level: 1
minutes: 20
audiences: [everyone, elderly]
competences: ["4.2"]
title:
  vi: An toàn trên mạng
  en: Staying safe online
summary:
  vi: Nhận ra các chiêu lừa đảo.
  en: Recognise common scams.
"""

LESSON_1 = """\
---
title: Nhận diện cuộc gọi lừa đảo
minutes: 8
competences: ["4.2"]
sources: [{title: "Cẩm nang nhận diện lừa đảo", publisher: Bộ Công an, url: "https://bocongan.example/cam-nang", checked: 2026-11-30}]
---

Bà Lan nhận một cuộc gọi lạ.

## Dấu hiệu

1. Người gọi đòi chuyển tiền.
2. Người gọi hỏi mã OTP.

![Tin nhắn có đường link lạ](images/tin-nhan.svg)

## Bạn nên làm gì

Xem thêm [bài mật khẩu](02-mat-khau.md).

> **Nhớ nhé:** Công an không yêu cầu chuyển tiền qua điện thoại.
"""

LESSON_1_EN = """\
---
title: Spotting scam calls
sources: [{title: "Cẩm nang nhận diện lừa đảo", publisher: "Bộ Công an (Ministry of Public Security)", url: "https://bocongan.example/cam-nang", checked: 2026-11-30}]
---

Mrs Lan gets a strange call.

## Warning signs

1. The caller asks for money.

## What to do

> **Remember:** The police never ask for money by phone.
"""

LESSON_2 = """\
---
title: Mật khẩu mạnh
minutes: 6
sources: [{title: "Mật khẩu an toàn", publisher: Bộ Công an, url: "https://bocongan.example/cam-nang", checked: 2026-11-30}]
---

Mật khẩu mạnh dài và khó đoán.

## Cách đặt

![Biểu đồ độ dài mật khẩu](images/bieu-do.png)
"""

QUIZ_1 = """\
questions:
  - id: otp
    type: single
    prompt: Nhân viên ngân hàng xin mã OTP. Bạn làm gì?
    choices:
      - {id: a, text: {vi: Đọc mã cho họ, en: Read it out}}
      - {id: c, text: {vi: Hỏi tên người gọi, en: Ask the caller's name}}
      - id: b
        text: Cúp máy
    answer: b
    explanation: Ngân hàng không bao giờ hỏi mã OTP.
  - id: cong-an
    type: true_false
    prompt: Công an có thể yêu cầu chuyển tiền qua điện thoại.
    answer: false
    explanation: Công an không giải quyết vụ việc qua điện thoại.
"""

QUIZ_2 = """\
questions:
  - id: dau-hieu
    type: multiple
    prompt: Mật khẩu nào mạnh?
    choices:
      - {id: a, text: "123456"}
      - {id: b, text: Lan-thich-hoa-sen-2024}
      - {id: c, text: matkhau}
    answer: [b]
    explanation: Mật khẩu mạnh dài và khó đoán.
  - id: ma-qr
    type: picture
    prompt: Đâu là mã QR?
    choices:
      - id: a
        image: images/ma-qr.svg
        alt: Một mã QR trên tấm bảng
      - id: b
        image: images/ma-vach.svg
        alt: {vi: Một mã vạch, en: A barcode}
    answer: a
    explanation: Mã QR là ô vuông có nhiều chấm.
"""

FINAL_QUIZ = """\
pass_mark: 80
max_attempts: 3
questions:
  - id: tin-nhan
    type: scenario
    screen:
      kind: sms
      sender: NganHang
      body: {vi: Tài khoản bị khoá. Bấm link., en: Your account is locked.}
      link: http://mo-khoa.example
    prompt: Bạn làm gì?
    choices:
      - {id: a, text: Bấm vào link}
      - {id: b, text: Gọi số in trên thẻ}
      - {id: c, text: Trả lời tin nhắn để hỏi lại}
    answer: b
    explanation: Ngân hàng không gửi link lạ.
  - id: chuyen-tien
    type: scenario
    screen:
      kind: transfer
      bank: Ngân hàng của bạn
      recipient_name: NGUYEN VAN A
      account: 0123456789
      amount: 5.000.000
      message: Phi ho so
    prompt: Người lạ bảo bạn chuyển khoản. Bạn làm gì?
    choices:
      - {id: b, text: Dừng lại và hỏi người thân}
      - {id: a, text: Chuyển ngay}
      - {id: c, text: Chuyển trước một nửa}
    answer: b
    explanation: Đừng chuyển tiền cho người lạ.
"""

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200"><rect width="10" height="10"/></svg>\n'


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    """A small real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def default_files() -> dict[str, str | bytes]:
    """The files of one complete, valid course."""
    return {
        "course.yaml": COURSE_YAML,
        "01-cuoc-goi.md": LESSON_1,
        "01-cuoc-goi.en.md": LESSON_1_EN,
        "01-cuoc-goi.quiz.yaml": QUIZ_1,
        "02-mat-khau.md": LESSON_2,
        "02-mat-khau.quiz.yaml": QUIZ_2,
        "final.quiz.yaml": FINAL_QUIZ,
        "images/tin-nhan.svg": SVG,
        "images/ma-qr.svg": SVG,
        "images/ma-vach.svg": SVG,
        "images/bieu-do.png": png_bytes(),
    }


class ContentBuilder:
    """Writes courses under root/courses/; a file given as None is left out."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def course(self, slug: str = "an-toan", files: dict[str, str | bytes | None] | None = None,
               *, only: bool = False) -> Path:
        """Write the valid default course changed by `files` (or only `files` when only=True)."""
        merged: dict[str, str | bytes | None] = {} if only else dict(default_files())
        merged.update(files or {})
        course_dir = self.root / "courses" / slug
        for name, body in merged.items():
            if body is not None:
                self.write(course_dir / name, body)
        return course_dir

    def write(self, path: Path, body: str | bytes) -> None:
        """Write text (dedented) or bytes, creating folders."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(dedent(body), encoding="utf-8")


@pytest.fixture()
def content(tmp_path: Path) -> ContentBuilder:
    """A builder for content trees in a fresh folder."""
    return ContentBuilder(tmp_path / "content")
