"""YAML for authors: safe loading that keeps line numbers and reads the way authors expect.

Mappings and lists come back as LineDict/LineList carrying the line of themselves and of each key
or item, so every problem can be reported as file:line. Only true/false are booleans; numbers with
a leading zero, times and dates stay text.
"""
from __future__ import annotations

import re
from typing import Any

import yaml


class LineDict(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):  # type: ignore[type-arg]
    """A YAML list that remembers its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """Safe loading that keeps line numbers and avoids YAML 1.1 surprises authors would not expect."""

    def __init__(self, stream: str, line_offset: int = 0) -> None:
        super().__init__(stream)
        self.line_offset = line_offset
        self.duplicates: list[tuple[int, Any]] = []

    def node_line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.line_offset

    def scan_plain(self) -> yaml.ScalarToken:
        """PyYAML's plain-scalar scanner, except that "?" may sit inside a flow value.

        content/README.md itself writes `prompt: {vi: Đâu là mã QR?, en: Which one?}`; YAML 1.2
        allows it, PyYAML stops at the "?" and fails. Only the flow-context stop set differs.
        """
        chunks: list[str] = []
        start_mark = end_mark = self.get_mark()
        indent, spaces = self.indent + 1, []
        breaks = "\0 \t\r\n\x85\u2028\u2029"
        while self.peek() != "#":
            length = 0
            while True:
                ch = self.peek(length)
                after_colon = breaks + (",[]{}" if self.flow_level else "")
                if (ch in breaks or (ch == ":" and self.peek(length + 1) in after_colon)
                        or (self.flow_level and ch in ",[]{}")):
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark)
            if not spaces or self.peek() == "#" or (not self.flow_level and self.column < indent):
                break
        return yaml.ScalarToken("".join(chunks), True, start_mark, end_mark)


def _construct_map(loader: _LineLoader, node: yaml.MappingNode):  # type: ignore[no-untyped-def]
    data = LineDict()
    data.line, data.key_lines = loader.node_line(node), {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found unhashable key", key_node.start_mark) from None
        if key in data:
            loader.duplicates.append((loader.node_line(key_node), key))
        data[key] = loader.construct_object(value_node)
        data.key_lines[key] = loader.node_line(key_node)


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode):  # type: ignore[no-untyped-def]
    data = LineList()
    data.line, data.item_lines = loader.node_line(node), [loader.node_line(item) for item in node.value]
    yield data
    data.extend(loader.construct_sequence(node))


def _construct_number(loader: _LineLoader, node: yaml.ScalarNode) -> object:
    # "0123456789" is an account number and "10:30" a time, not octal or base-60 numbers.
    text = loader.construct_scalar(node)
    if re.match(r"^[+0]\d", text) or ":" in text:
        return text
    if node.tag.endswith(":int"):
        return loader.construct_yaml_int(node)
    return loader.construct_yaml_float(node)


_BOOL = "tag:yaml.org,2002:bool"
# Only true/false are booleans, so a choice "No" or "on" stays text (YAML 1.2 behaviour).
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_number)


def _make_fast_loader() -> type | None:
    """The same loader on libyaml's parser, when PyYAML was built with it."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class FastLineLoader(yaml.CSafeLoader):
        def __init__(self, stream: str, line_offset: int = 0) -> None:
            super().__init__(stream)
            self.line_offset = line_offset
            self.duplicates: list[tuple[int, Any]] = []

        node_line = _LineLoader.node_line

    FastLineLoader.yaml_implicit_resolvers = _LineLoader.yaml_implicit_resolvers
    FastLineLoader.yaml_constructors = dict(_LineLoader.yaml_constructors)
    return FastLineLoader


_LineLoader.add_constructor("tag:yaml.org,2002:float", _construct_number)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
_FastLineLoader = _make_fast_loader()


_YAML_HINTS = {
    "mapping values are not allowed": "có dấu hai chấm ở chỗ không được; nếu câu chữ có dấu hai chấm, hãy đặt cả câu trong dấu nháy kép",
    "could not find expected ':'": "thiếu dấu hai chấm sau tên dòng",
    "cannot start any token": "có ký tự không được phép ở đầu (thường là phím Tab: hãy thụt lề bằng dấu cách)",
    "expected <block end>": "thụt lề không đều: các dòng cùng cấp phải thẳng hàng",
    "unexpected end of stream": "thiếu dấu nháy hoặc dấu ngoặc đóng",
    "found unhashable key": "tên dòng không hợp lệ",
}


# python-frontmatter's boundary rule; the YAML inside is loaded by _LineLoader to keep lines.


def load_yaml(text: str, line_offset: int = 0) -> tuple[Any, list[tuple[int, Any]]]:
    """Safe-load YAML keeping lines (LineDict/LineList); also returns (line, key) of repeated keys."""
    if _FastLineLoader is not None:
        # libyaml is several times faster; anything it refuses (such as "?" in a flow value, or a
        # real mistake) goes through the Python loader, which accepts more and explains errors.
        loader = _FastLineLoader(text, line_offset)
        try:
            return loader.get_single_data(), loader.duplicates
        except yaml.YAMLError:
            pass
        finally:
            loader.dispose()
    loader = _LineLoader(text, line_offset)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def yaml_message(error: yaml.MarkedYAMLError) -> str:
    detail = str(error.problem or error.context or "").strip()
    hint = next((vi for en, vi in _YAML_HINTS.items() if en in detail), "viết sai cú pháp")
    return f"lỗi cú pháp YAML: {hint} ({detail})"
