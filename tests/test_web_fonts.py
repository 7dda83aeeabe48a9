"""The web fonts (static/css/fonts.css, built by .ci/build_webfonts.py) are complete, small subsets."""

import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

STATIC = Path(__file__).resolve().parents[1] / "static"
RULE = re.compile(r'@font-face \{ font-family: "(?P<family>[^"]+)";.*?src: url\("\.\./(?P<path>[^"]+)"\).*?'
                  r"unicode-range: (?P<ranges>[^;]+);", re.S)
SOURCES = {"Noto Sans": "NotoSans", "Noto Sans Khmer": "NotoSansKhmer", "Noto Sans Thai": "NotoSansThai"}


def faces():
    return [match.groupdict() for match in RULE.finditer((STATIC / "css" / "fonts.css").read_text(encoding="utf-8"))]


def codepoints(ranges):
    points = set()
    for part in ranges.split(","):
        first, _sep, last = part.strip().removeprefix("U+").partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


def test_the_stylesheet_declares_regular_and_bold_khmer_thai_latin_and_vietnamese_faces():
    names = {Path(face["path"]).name for face in faces()}
    assert {"NotoSansKhmer-Regular.khmer.woff2", "NotoSansKhmer-Bold.khmer.woff2", "NotoSansThai-Regular.thai.woff2",
            "NotoSansThai-Bold.thai.woff2", "NotoSans-Regular.latin.woff2", "NotoSans-Regular.vietnamese.woff2",
            "NotoSans-Bold.latin.woff2", "NotoSans-Bold.vietnamese.woff2"} == names


@pytest.mark.parametrize("face", faces(), ids=lambda face: Path(face["path"]).name)
def test_each_subset_keeps_every_character_of_its_range_that_the_vendored_font_has(face):
    path = STATIC / face["path"]
    weight = "Bold" if "-Bold." in path.name else "Regular"
    source = TTFont(STATIC / "fonts" / f"{SOURCES[face['family']]}-{weight}.ttf").getBestCmap()
    subset = TTFont(path).getBestCmap()
    wanted = codepoints(face["ranges"]) & set(source)

    assert wanted <= set(subset)
    assert path.stat().st_size < 25_000


def test_the_khmer_subset_keeps_the_layout_rules_that_stack_subscript_consonants():
    font = TTFont(STATIC / "fonts" / "web" / "NotoSansKhmer-Regular.khmer.woff2")
    features = {record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord}

    assert {"blwf", "pref", "abvs"} <= features
