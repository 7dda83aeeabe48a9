import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

THAI_STORY = "ฉันทักแชทหาสายเด็กตอนดึก และมีพี่ที่ปรึกษาตอบภายในไม่กี่นาที"


def test_a_grantee_cannot_save_a_story_without_consent_then_saves_it_with_consent(page, live_server):
    log_in(page, live_server, "grantee")
    page.goto(live_server["url"] + "/projects/thailand-helpline/stories/new")
    page.get_by_label("Title", exact=True).fill("คืนที่มีคนตอบ")
    page.get_by_label("Language the story is written in").select_option("th")
    page.get_by_label("What happened").fill(THAI_STORY)
    page.get_by_label("Why this change is significant to the storyteller").fill("ฉันรู้แล้วว่ามีที่ให้ไป")
    page.get_by_label("Collected by").fill("Counselling supervisor, Childline Thailand")
    page.get_by_label("Collected on").fill("2024-05-02")
    page.get_by_label("Storyteller's pseudonym").fill("Dao")
    page.get_by_label("The storyteller is a").select_option("young_person")
    page.get_by_label("Age band").select_option("18_24")
    page.get_by_role("button", name="Save story").click()

    assert page.get_by_role("heading", name="Please correct the following").is_visible()
    assert page.get_by_label("What happened").input_value() == THAI_STORY

    page.get_by_label("The storyteller consented").check()
    page.get_by_label("Consent obtained on").fill("2024-05-02")
    page.get_by_label("Consent form").fill("Childline Thailand story consent form")
    page.get_by_label("Form version").fill("1.3")
    page.get_by_label("Donor reporting").check()
    page.get_by_role("button", name="Save story").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Story"
    assert page.locator('.story-text[lang="th"]').first.inner_text().count(THAI_STORY) == 1
    assert page.get_by_text("Safeguarding review pending").first.is_visible()


def test_a_donor_reads_the_viet_nam_story_in_vietnamese_and_english_without_the_collector(page, live_server):
    log_in(page, live_server, "donor")
    page.get_by_role("link", name="Stories (MSC)").click()
    page.get_by_role("link", name="Ly cà phê hôm ấy").click()

    assert page.get_by_role("heading", name="Ly cà phê hôm ấy").is_visible()
    assert page.get_by_role("heading", name="That cup of coffee").is_visible()
    assert page.get_by_text("Minh · Young person").is_visible()
    content = page.inner_text("main")
    assert "World Vision Vietnam (Da Nang)" not in content and "Hòa Vang" not in content
    assert "Record withdrawal" not in content


def test_search_highlights_matches_in_outcomes_and_stories(page, live_server):
    log_in(page, live_server, "me")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search for").fill("peer leader")
    page.get_by_role("button", name="Search", exact=True).click()
    assert page.locator("mark", has_text="peer").first.is_visible()
    page.get_by_role("navigation", name="Kind of result").get_by_role("link", name="Stories").click()

    assert page.locator("mark", has_text="peer").first.is_visible()
    assert page.get_by_role("link", name="That cup of coffee").count() + page.get_by_role(
        "link", name="Ly cà phê hôm ấy").count() >= 1


def test_a_grantee_attaches_an_outcome_as_evidence_from_its_page_and_finds_it_in_the_evidence_tab(page,
                                                                                                  own_live_server):
    log_in(page, own_live_server, "grantee")
    page.goto(own_live_server["url"] + "/projects/thailand-helpline/outcomes")
    page.locator("main table tbody a").first.click()
    page.get_by_role("link", name="Attach evidence").click()

    assert page.get_by_label("Outcome", exact=True).input_value() != ""
    page.get_by_label("Title", exact=True).fill("Counsellors answer in Khmer: the outcome record")
    page.get_by_label("Supports", exact=True).select_option(index=1)
    page.get_by_role("button", name="Save the evidence").click()

    assert "Evidence recorded." in page.locator(".flashes").inner_text()
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Evidence", exact=True).click()
    page.get_by_label("Supports", exact=True).select_option("yes")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_role("link", name="Counsellors answer in Khmer: the outcome record").is_visible()
