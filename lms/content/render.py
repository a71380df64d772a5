"""Turn lesson markdown into safe HTML, projector slides and searchable plain text."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from lms.content.model import nfc

LinkResolver = Callable[[str | None, str], str]
ImageResolver = Callable[[str], tuple[str, int | None, int | None]]

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
LESSON_LINK = re.compile(rf"^(?:\./)?(?:\.\./({SLUG})/)?\d{{2}}-({SLUG})(?:\.en)?\.md$")
REMEMBER_LABELS = frozenset({"nhớ nhé", "remember"})
OUTSIDE_REL = "noopener noreferrer"

ALLOWED_TAGS = frozenset({
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "img", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    # Authors split numbered steps with a paragraph; without `start` step 3 would read "1.".
    "ol": {"start"},
}
# Dropped together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select",
    "svg", "math", "title", "xmp", "noembed", "noframes",
})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "table", "tr", "br", "hr"})
VOID_TAGS = frozenset({"br", "hr", "img"})
# nh3 output escapes "<" and ">" inside attribute values, so a tag always ends at the first ">".
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_HREF = re.compile(r'\shref="([^"]*)"')
_RAW_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_ALT = re.compile(r'\salt="([^"]*)"')
# The lesson title is the page's h1 and the sanitiser allows h2–h4 only; keep such headings visible.
HEADING_FIX = {"h1": "h2", "h5": "h4", "h6": "h4"}


@dataclass(frozen=True)
class RenderedLesson:
    """A lesson as the whole page, as projector slides (split at each h2), and as plain text."""

    html: str
    slides: tuple[str, ...]
    plain_text: str


@cache
def markdown_parser() -> MarkdownIt:
    """The CommonMark parser lessons are written for, with tables."""
    return MarkdownIt("commonmark").enable("table")


def parse_lesson_link(href: str) -> tuple[str | None, str] | None:
    """(course slug or None for this course, lesson slug) for a link to a lesson's file, else None."""
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    match = LESSON_LINK.match(path)
    return (match.group(1), match.group(2)) if match else None


def is_markdown_link(href: str) -> bool:
    """Whether a link points at a .md file inside the content folder."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc and unquote(parts.path).endswith(".md")


def course_image_path(src: str) -> str | None:
    """The path of an image inside its course folder, normalised, or None for anything else."""
    try:
        parts = urlsplit(src)
    except ValueError:
        return None
    path = unquote(parts.path)
    if not path or "\\" in path or parts.scheme or parts.netloc or path.startswith("/"):
        return None
    path = posixpath.normpath(path)
    return None if path == "." or path == ".." or path.startswith("../") else path


def render_markdown(text: str, *, resolve_link: LinkResolver, resolve_image: ImageResolver) -> RenderedLesson:
    """Render, sanitise and split one lesson; never raises on whatever the author wrote.

    Raw HTML is dropped at the markdown stage (content/README.md promises it is removed, and deeply
    nested raw tags make the HTML parser slow); nh3 then cleans the result as a second line of defence.
    """
    # Lone surrogates cannot cross into the Rust sanitiser; replace them rather than fail.
    text = nfc(text.encode("utf-8", "replace").decode("utf-8"))
    md = markdown_parser()
    tokens = md.parse(text)
    images: set[str] = set()
    internal: set[str] = set()
    _rewrite(tokens, resolve_link, resolve_image, images, internal)
    clean = _tidy_tags(sanitise(md.renderer.render(tokens, md.options, {}), images), internal)
    return RenderedLesson(html=clean.strip(), slides=split_slides(clean), plain_text=plain_text(clean))


def sanitise(raw_html: str, image_urls: set[str] | frozenset[str] = frozenset()) -> str:
    """Keep only the allow-listed tags and attributes; images only from `image_urls`."""
    def keep(tag: str, attribute: str, value: str) -> str | None:
        # Raw <img> tags could load trackers from anywhere; only resolved course images stay.
        if tag == "img" and attribute == "src":
            return value if value in image_urls else None
        return value

    return nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=keep,
        url_schemes=set(URL_SCHEMES),
        allowed_classes={"blockquote": {"remember"}},
        link_rel=None,
        strip_comments=True,
    )


def split_slides(clean_html: str) -> tuple[str, ...]:
    """Split sanitised HTML before each top-level <h2>; slide 0 is what precedes the first one."""
    cuts, depth = [0], 0
    for match in _TAG.finditer(clean_html):
        closing, name = match.group(1), match.group(2).lower()
        if name in VOID_TAGS:
            continue
        if closing:
            depth = max(depth - 1, 0)
            continue
        if name == "h2" and depth == 0:
            cuts.append(match.start())
        depth += 1
    cuts.append(len(clean_html))
    return tuple(clean_html[start:end].strip() for start, end in zip(cuts, cuts[1:]))


def plain_text(clean_html: str) -> str:
    """The words of sanitised HTML, one block per line, for full-text search."""
    parser = _TextCollector()
    parser.feed(clean_html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


class _TextCollector(HTMLParser):
    """Collects text, with a line break at block boundaries and image descriptions inline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "img":
            self.parts.append(f" {dict(attrs).get('alt') or ''} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS or tag in ("td", "th"):
            self.parts.append("\n" if tag in BLOCK_TAGS else " ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _rewrite(tokens: Sequence[Token], resolve_link: LinkResolver, resolve_image: ImageResolver,
             images: set[str], internal: set[str]) -> None:
    """Point lesson links and images at the app, and mark "remember" boxes."""
    for index, token in enumerate(tokens):
        if token.type == "html_block":
            token.content = ""
        if token.children:
            token.children = _without_raw_html(token.children)
        if token.tag in HEADING_FIX:
            token.tag = HEADING_FIX[token.tag]
        if token.type == "blockquote_open" and _is_remember_box(tokens, index):
            token.attrSet("class", "remember")
        for child in token.children or ():
            if child.type == "link_open":
                _rewrite_link(child, resolve_link, internal)
            elif child.type == "image":
                _rewrite_image(child, resolve_image, images)


def _without_raw_html(children: list[Token]) -> list[Token]:
    """Drop inline HTML tags, and everything between <script>-like tags and their end."""
    kept: list[Token] = []
    skipping: str | None = None
    for child in children:
        if child.type != "html_inline":
            if skipping is None:
                kept.append(child)
            continue
        match = _RAW_TAG.match(child.content)
        if match and skipping is None and not match.group(1) and match.group(2).lower() in DROPPED_WITH_CONTENT:
            skipping = match.group(2).lower()
        elif match and match.group(1) and match.group(2).lower() == skipping:
            skipping = None
    return kept


def _is_remember_box(tokens: Sequence[Token], start: int) -> bool:
    """A blockquote whose first strong text is "Nhớ nhé" (or "Remember" in English)."""
    for token in tokens[start + 1:]:
        if token.type == "blockquote_close":
            return False
        if token.type == "inline":
            return _first_strong_text(token.children or []) in REMEMBER_LABELS
    return False


def _first_strong_text(children: Sequence[Token]) -> str | None:
    texts: list[str] | None = None
    for child in children:
        if child.type == "strong_open" and texts is None:
            texts = []
        elif child.type == "strong_close" and texts is not None:
            return nfc("".join(texts)).strip().rstrip(":").strip().casefold()
        elif texts is not None and child.type == "text":
            texts.append(child.content)
    return None


def _rewrite_link(token: Token, resolve_link: LinkResolver, internal: set[str]) -> None:
    href = str(token.attrGet("href") or "")
    target = parse_lesson_link(href)
    url = _call(resolve_link, *target) if target else None
    if isinstance(url, str) and url:
        token.attrSet("href", url)
        internal.add(url)
    elif target or is_markdown_link(href):
        # A lesson that cannot be found: keep the words, drop the dead link.
        token.attrs.pop("href", None)


def _rewrite_image(token: Token, resolve_image: ImageResolver, images: set[str]) -> None:
    path = course_image_path(str(token.attrGet("src") or ""))
    resolved = _call(resolve_image, path) if path else None
    if not (isinstance(resolved, tuple) and len(resolved) == 3 and isinstance(resolved[0], str)):
        # Not a course image: show its description as text instead of a broken or foreign image.
        words = "".join(c.content for c in token.children or () if c.type in ("text", "code_inline"))
        token.type, token.tag, token.attrs, token.children, token.content = "text", "", {}, None, words
        return
    url, width, height = resolved
    token.attrs.pop("title", None)
    token.attrSet("src", url)
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, int) and value > 0:
            token.attrSet(name, str(value))
    token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")
    images.add(url)


def _call(resolver: Callable[..., object], *args: object) -> object:
    """Call an app resolver; LookupError or ValueError means "no such lesson or image"."""
    try:
        return resolver(*args)
    except (LookupError, ValueError):
        return None


def _tidy_tags(clean_html: str, internal: set[str]) -> str:
    """Mark links to other sites rel="noopener noreferrer" and turn source-less images into their words."""
    def tidy(match: re.Match[str]) -> str:
        name, attributes = match.group(2).lower(), match.group(3)
        if match.group(1) or name not in ("a", "img"):
            return match.group(0)
        if name == "img":
            alt = _ALT.search(attributes)
            return match.group(0) if ' src="' in attributes else (alt.group(1) if alt else "")
        href = _HREF.search(attributes)
        target = html.unescape(href.group(1)) if href else ""
        if not href or target in internal or not _is_other_site(target):
            return match.group(0)
        return f'<a{attributes} rel="{OUTSIDE_REL}">'

    return _TAG.sub(tidy, clean_html)


def _is_other_site(href: str) -> bool:
    # Browsers read "/\host" and "\\host" like "//host": a link to another site.
    target = href.strip().replace("\\", "/")
    if target.startswith("//"):
        return True
    try:
        return urlsplit(target).scheme.lower() in ("http", "https")
    except ValueError:
        return True
