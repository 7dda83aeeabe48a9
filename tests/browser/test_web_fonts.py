"""Khmer, Thai and Vietnamese render from the app's own web fonts; pages without those scripts download none."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PROJECT = "/projects/thailand-helpline"
KHMER_TITLE = "សារដែលខ្ញុំហ៊ានផ្ញើ"
KHMER_STORY = "ខ្ញុំបានផ្ញើសារទៅខ្សែជំនួយតាម LINE ជាភាសាខ្មែរ ហើយមានអ្នកប្រឹក្សាឆ្លើយតបខ្ញុំក្នុងរយៈពេលពីរបីនាទី។"

# Widths of the same number of characters in the page's font and as missing glyphs (unassigned code points).
WIDTHS = """(text) => {
  const measure = (value) => {
    const span = document.createElement("span");
    span.textContent = value;
    span.style.whiteSpace = "pre";
    document.querySelector("main").append(span);
    const width = span.getBoundingClientRect().width;
    span.remove();
    return width;
  };
  return {text: measure(text), missing: measure("\\u0378".repeat([...text].length))};
}"""


def faces_loaded(page, family):
    """Whether this page's document loaded any face of ``family`` (each document loads the faces it uses)."""
    return page.evaluate("(family) => document.fonts.ready.then(set => [...set].some("
                         "face => face.family.replaceAll('\"', '') === family && face.status === 'loaded'))", family)


def font_files(page, action):
    """The web font files the browser downloads while ``action`` runs."""
    loaded = []
    page.on("request", lambda request: loaded.append(request.url) if request.resource_type == "font" else None)
    action()
    page.wait_for_load_state("networkidle")
    return [url.rsplit("/", 1)[-1] for url in loaded]


def save_khmer_story(page, url):
    page.goto(url + PROJECT + "/stories/new")
    page.get_by_label("Title", exact=True).fill(KHMER_TITLE)
    page.get_by_label("Language the story is written in").select_option("km")
    page.get_by_label("What happened").fill(KHMER_STORY)
    page.get_by_label("Why this change is significant to the storyteller").fill("ខ្ញុំដឹងថាខ្ញុំមិននៅម្នាក់ឯងទេ។")
    page.get_by_label("Country", exact=True).select_option("TH")
    page.get_by_label("Collected by").fill("Counselling supervisor, Childline Thailand")
    page.get_by_label("Collected on").fill("2024-04-10")
    page.get_by_label("Storyteller's pseudonym").fill("Sophea")
    page.get_by_label("The storyteller is a").select_option("young_person")
    page.get_by_label("Age band").select_option("18_24")
    page.get_by_label("The storyteller consented").check()
    page.get_by_label("Consent obtained on").fill("2024-04-10")
    page.get_by_label("Consent form").fill("Childline Thailand story consent form (Khmer)")
    page.get_by_label("Form version").fill("1.3")
    page.get_by_role("button", name="Save story").click()
    return page.url


def test_a_khmer_story_renders_every_glyph_from_the_apps_khmer_font(page, own_live_server):
    url = own_live_server["url"]
    log_in(page, own_live_server, "grantee")
    story_url = save_khmer_story(page, url)

    files = font_files(page, lambda: page.goto(story_url))
    page.evaluate("document.fonts.ready")

    assert "NotoSansKhmer-Regular.khmer.woff2" in files
    assert page.evaluate("document.fonts.check(\"16px 'Noto Sans Khmer'\", 'ក')")
    assert faces_loaded(page, "Noto Sans Khmer")
    widths = page.evaluate(WIDTHS, KHMER_STORY)
    assert abs(widths["text"] - widths["missing"]) > 20, widths
    assert page.locator('.story-text[lang="km"]').first.inner_text().count(KHMER_STORY) == 1


def test_a_thai_story_loads_the_thai_font_and_not_the_khmer_one(page, live_server):
    log_in(page, live_server, "donor")
    page.get_by_role("link", name="Stories (MSC)").click()
    page.get_by_role("link", name="ข้อความที่ฉันไม่กล้าบอกใคร").click()
    page.get_by_role("heading", name="ข้อความที่ฉันไม่กล้าบอกใคร").wait_for()

    assert faces_loaded(page, "Noto Sans Thai")
    assert not faces_loaded(page, "Noto Sans Khmer")
    assert page.evaluate("document.fonts.check(\"16px 'Noto Sans Thai'\", 'ก')")


def test_a_page_in_english_downloads_no_khmer_or_thai_font(page, live_server):
    log_in(page, live_server, "me")
    files = font_files(page, lambda: page.goto(live_server["url"] + "/account"))

    assert not [name for name in files if name.startswith(("NotoSansKhmer-", "NotoSansThai-"))]
    assert not faces_loaded(page, "Noto Sans Khmer") and not faces_loaded(page, "Noto Sans Thai")


def open_the_vietnamese_story(page, live_server):
    log_in(page, live_server, "donor")
    page.get_by_role("link", name="Stories (MSC)").click()
    page.get_by_role("link", name="Ly cà phê hôm ấy").click()
    page.get_by_role("heading", name="Ly cà phê hôm ấy").wait_for()
    page.evaluate("document.fonts.load(\"16px 'Noto Sans'\", 'Ly cà phê hôm ấy')")


def test_the_apps_noto_sans_draws_the_vietnamese_letters_of_a_story_title(page, live_server):
    # Listening from the start: whichever page first shows Vietnamese letters (the list of stories, say)
    # downloads the subset, and the next pages take it from the browser's cache.
    files = font_files(page, lambda: open_the_vietnamese_story(page, live_server))

    assert "NotoSans-Regular.vietnamese.woff2" in files
    assert page.evaluate("document.fonts.check(\"16px 'Noto Sans'\", 'Ly cà phê hôm ấy')")
