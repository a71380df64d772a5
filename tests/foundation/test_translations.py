"""Every interface string is translatable and the English catalogue has every one of them."""
import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent.parent
PO = ROOT / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def _extract(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k",
                                "lazy_gettext", "-o", str(pot), str(ROOT / "lms")])
    with pot.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_every_string_in_the_code_has_an_english_translation(tmp_path):
    with PO.open("rb") as fh:
        catalogue = {m.id: m for m in read_po(fh) if m.id}
    missing = sorted(str(i) for i in _extract(tmp_path) if i not in catalogue or not catalogue[i].string
                     or (isinstance(i, tuple) and not all(catalogue[i].string)))
    assert missing == [], f"{len(missing)} strings lack English (run pybabel extract/update and translate): {missing[:10]}"


def test_translations_keep_every_placeholder():
    with PO.open("rb") as fh:
        bad = []
        for m in read_po(fh):
            if not m.id:
                continue
            pairs = zip(m.id, m.string) if isinstance(m.id, tuple) else [(m.id, m.string)]
            bad += [source for source, text in pairs if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text))]
    assert bad == []
