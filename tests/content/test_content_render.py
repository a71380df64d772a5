"""Rendering lesson markdown: safe HTML, app links and images, slides and plain text."""

from __future__ import annotations

import re

import pytest

from lms.content.render import RenderedLesson, render_markdown, sanitise, split_slides


class Resolvers:
    """Stand-ins for the app's URL builders that remember what they were asked."""

    def __init__(self) -> None:
        self.links: list[tuple[str | None, str]] = []
        self.images: list[str] = []

    def link(self, course: str | None, lesson: str) -> str:
        self.links.append((course, lesson))
        if lesson == "da-xoa":
            raise LookupError(lesson)
        return f"/courses/{course or 'this'}/lessons/{lesson}"

    def image(self, path: str) -> tuple[str, int | None, int | None]:
        self.images.append(path)
        if path.endswith("mat.png"):
            raise LookupError(path)
        return f"/media/an-toan/{path}", 320, 200


@pytest.fixture()
def resolvers() -> Resolvers:
    return Resolvers()


def render(text: str, resolvers: Resolvers) -> RenderedLesson:
    return render_markdown(text, resolve_link=resolvers.link, resolve_image=resolvers.image)


def test_ordinary_formatting_is_kept(resolvers):
    text = (
        "Chữ **đậm**, *nghiêng*, `mã`.\n\n## Mục\n\n### Nhỏ\n\n#### Nhỏ hơn\n\n- một\n- hai\n\n"
        "1. bước một\n\nĐoạn chen giữa.\n\n2. bước hai\n\n> Trích dẫn\n\n---\n\n"
        "| Cột | Giá |\n|---|---|\n| Rau | 10.000 |\n\n```\ncode block\n```\n\nHết dòng  \nxuống dòng\n"
    )
    html = render(text, resolvers).html

    for fragment in ("<strong>đậm</strong>", "<em>nghiêng</em>", "<code>mã</code>", "<h2>Mục</h2>",
                     "<h3>Nhỏ</h3>", "<h4>Nhỏ hơn</h4>", "<ul>", "<li>một</li>", '<ol start="2">',
                     "<blockquote>", "<hr>", "<table>", "<thead>", "<th>Cột</th>", "<td>10.000</td>",
                     "<pre><code>code block", "<br>"):
        assert fragment in html, fragment


HOSTILE = [
    ("script block", "<script>alert(1)</script>\n\nChữ", "alert"),
    ("script inline", "Chữ <script>alert(1)</script> tiếp", "alert"),
    ("onerror", '<img src="images/a.svg" onerror="alert(1)">', "onerror"),
    ("onclick", '<a href="https://x.example" onclick="alert(1)">bấm</a>', "onclick"),
    ("javascript link", '<a href="javascript:alert(1)">bấm</a>', "javascript"),
    ("javascript markdown", "[bấm](javascript:alert(1))", 'href="javascript'),
    ("data link", '<a href="data:text/html;base64,PHNjcmlwdD4=">bấm</a>', "data:"),
    ("data image", "![ảnh lạ](data:image/png;base64,iVBORw0KGgo=)", "data:"),
    ("data raw image", '<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">', "data:"),
    ("iframe", '<iframe src="https://x.example">nội dung</iframe>', "iframe"),
    ("style", "<style>body{display:none}</style>\n\nChữ", "display"),
    ("style attribute", '<p style="position:fixed">x</p>', "position"),
    ("class", '<blockquote class="evil">x</blockquote>', "evil"),
    ("svg", "<svg><script>alert(1)</script></svg>", "alert"),
]


@pytest.mark.parametrize(("text", "forbidden"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_hostile_markup_is_removed(resolvers, text, forbidden):
    result = render(text, resolvers)

    assert forbidden not in result.html
    assert forbidden not in "".join(result.slides)
    assert "<script" not in result.html and "<iframe" not in result.html and "<style" not in result.html


@pytest.mark.parametrize(("raw", "expected"), [
    ('<p onclick="x()">a</p>', "<p>a</p>"),
    ('<script>alert(1)</script><p>b</p>', "<p>b</p>"),
    ('<iframe src="https://x.example">c</iframe>', ""),
    ('<a href="javascript:alert(1)" title="t">d</a>', '<a title="t">d</a>'),
    ('<a href="/courses/x">e</a>', '<a href="/courses/x">e</a>'),
    ('<img src="https://tracker.example/p.gif" alt="f">', '<img alt="f">'),
    ('<blockquote class="remember evil">g</blockquote>', '<blockquote class="remember">g</blockquote>'),
    ('<div><span>h</span></div>', "h"),
    ('<h1>i</h1><h5>j</h5>', "ij"),
])
def test_sanitiser_allow_list(raw, expected):
    assert sanitise(raw) == expected


def test_sanitiser_keeps_only_resolved_image_sources():
    raw = '<img src="/media/a.svg" alt="a"><img src="/media/other.svg" alt="b">'

    assert sanitise(raw, {"/media/a.svg"}) == '<img src="/media/a.svg" alt="a"><img alt="b">'


def test_lesson_links_go_through_resolve_link(resolvers):
    text = "[mật khẩu](02-mat-khau.md), [QR](../thanh-toan/03-thanh-toan-qr.md#buoc), [en](./04-bon.en.md)"
    html = render(text, resolvers).html

    assert resolvers.links == [(None, "mat-khau"), ("thanh-toan", "thanh-toan-qr"), (None, "bon")]
    assert '<a href="/courses/this/lessons/mat-khau">mật khẩu</a>' in html
    assert '<a href="/courses/thanh-toan/lessons/thanh-toan-qr">QR</a>' in html
    assert '<a href="/courses/this/lessons/bon">en</a>' in html
    assert ".md" not in html


def test_unknown_lessons_keep_their_words_without_a_dead_link(resolvers):
    html = render("[bài cũ](03-da-xoa.md) và [lạ](ghi-chu.md)", resolvers).html

    assert html == "<p><a>bài cũ</a> và <a>lạ</a></p>"


def test_only_links_to_other_sites_get_rel(resolvers):
    html = render("[báo](https://vnexpress.net) [thư](mailto:a@b.example) [bài](02-x.md) [//](//evil.example)",
                  resolvers).html

    assert '<a href="https://vnexpress.net" rel="noopener noreferrer">báo</a>' in html
    assert '<a href="//evil.example" rel="noopener noreferrer">//</a>' in html
    assert '<a href="mailto:a@b.example">thư</a>' in html
    assert '<a href="/courses/this/lessons/x">bài</a>' in html


def test_images_go_through_resolve_image(resolvers):
    html = render('![Tin nhắn *giả*](./images/tin-nhan.svg "tiêu đề")', resolvers).html

    assert resolvers.images == ["images/tin-nhan.svg"]
    assert html == ('<p><img src="/media/an-toan/images/tin-nhan.svg" alt="Tin nhắn giả" width="320" '
                    'height="200" loading="lazy" decoding="async"></p>')


@pytest.mark.parametrize("src", ["https://anh.example/a.png", "/etc/passwd", "../khac/images/a.png",
                                 "images/../../a.png", "images/mat.png"])
def test_images_that_are_not_course_images_become_their_description(resolvers, src):
    html = render(f"![Ổ khoá *mở*]({src})", resolvers).html

    assert html == "<p>Ổ khoá mở</p>"
    assert all(not path.startswith("..") for path in resolvers.images)


@pytest.mark.parametrize("text", ["> **Nhớ nhé:** Không đọc mã OTP.", "> **Remember:** Never share your OTP.",
                                  "> **Nhớ nhé**: viết dấu hai chấm ngoài chữ đậm."])
def test_remember_boxes_get_their_class(resolvers, text):
    assert render(text, resolvers).html.startswith('<blockquote class="remember">')


def test_other_blockquotes_stay_plain(resolvers):
    html = render("> Một câu trích.\n\n> *Nhớ nhé*: chữ nghiêng không tính.", resolvers).html

    assert "remember" not in html
    assert html.count("<blockquote>") == 2


def test_slides_split_at_each_h2(resolvers):
    result = render("Mở đầu.\n\n## Một\n\nA\n\n> ## Trong trích dẫn\n\n## Hai\n\nB", resolvers)

    assert result.slides == (
        "<p>Mở đầu.</p>",
        "<h2>Một</h2>\n<p>A</p>\n<blockquote>\n<h2>Trong trích dẫn</h2>\n</blockquote>",
        "<h2>Hai</h2>\n<p>B</p>",
    )
    assert re.sub(r"\s", "", "".join(result.slides)) == re.sub(r"\s", "", result.html)


def test_slide_zero_is_empty_when_the_lesson_starts_with_h2(resolvers):
    assert render("## Ngay đầu\n\nChữ", resolvers).slides == ("", "<h2>Ngay đầu</h2>\n<p>Chữ</p>")
    assert split_slides("") == ("",)


def test_plain_text_has_words_without_tags(resolvers):
    result = render("## Dấu hiệu\n\nGọi **ngay** &amp; hỏi mã OTP.\n\n![Tin nhắn lạ](images/a.svg)\n\n- một\n- hai",
                    resolvers)

    assert result.plain_text == "Dấu hiệu\nGọi ngay & hỏi mã OTP.\nTin nhắn lạ\nmột\nhai"
    assert "<" not in result.plain_text


@pytest.mark.parametrize("text", [
    "> " * 5000 + "sâu",
    "- " * 3000 + "x",
    "[" * 20000,
    "*a" * 20000,
    "<div>" * 20000,
    "lẻ \ud800 cặp \x00 nul",
    "&#0; &#xD800; &#x110000;",
    "![a](<" + "x" * 50000 + ">)",
    "| a |\n|---|\n" + "| b |\n" * 2000,
    "`" * 10000,
    "[x](http://[oops) ![y](http://[z) [z](<http://[::1>)",
])
def test_rendering_never_raises(resolvers, text):
    result = render(text, resolvers)

    assert isinstance(result.html, str) and result.slides and isinstance(result.plain_text, str)
    assert "<div" not in result.html
