"""A grantee logs an outcome, then a story in Khmer with consent and an English translation."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PROJECT = "/projects/thailand-helpline"
KHMER_TITLE = "សារដែលខ្ញុំហ៊ានផ្ញើ"
KHMER_STORY = "ខ្ញុំបានផ្ញើសារទៅខ្សែជំនួយតាម LINE ជាភាសាខ្មែរ ហើយមានអ្នកប្រឹក្សាឆ្លើយតបខ្ញុំក្នុងរយៈពេលពីរបីនាទី។"
KHMER_WHY = "ខ្ញុំដឹងថាខ្ញុំមិននៅម្នាក់ឯងទេ។"
ENGLISH_TITLE = "The message I dared to send"
OUTCOME = ("Childline Thailand counsellors began answering Khmer-speaking migrant children on LINE in their own "
           "language, through an interpreter on the night shift, from March 2024.")


def test_a_grantee_logs_an_outcome_then_a_khmer_story_with_consent_and_an_english_translation(page, own_live_server):
    url = own_live_server["url"]
    log_in(page, own_live_server, "grantee")
    page.goto(url + PROJECT)
    page.get_by_role("link", name="Outcomes", exact=True).click()
    page.get_by_role("link", name="New outcome").click()
    page.get_by_label("Outcome description").fill(OUTCOME)
    page.get_by_label("Social actor", exact=True).fill("Childline Thailand Foundation night-shift counsellors")
    page.get_by_label("Date of the change").fill("2024-03-15")
    page.get_by_label("Significance").fill("Migrant children no longer wait for a Thai speaker to help them.")
    page.get_by_role("button", name="Save outcome").click()

    assert "Outcome saved as a draft." in page.locator(".flashes").inner_text()
    assert page.get_by_text(OUTCOME).first.is_visible()

    page.get_by_role("link", name="Stories", exact=True).click()
    page.get_by_role("link", name="New story").click()
    page.get_by_label("Title", exact=True).fill(KHMER_TITLE)
    page.get_by_label("Language the story is written in").select_option("km")
    page.get_by_label("What happened").fill(KHMER_STORY)
    page.get_by_label("Why this change is significant to the storyteller").fill(KHMER_WHY)
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
    page.get_by_label("Donor reporting").check()
    page.get_by_role("button", name="Save story").click()

    assert "Story saved with its consent record." in page.locator(".flashes").inner_text()
    assert page.locator('.story-text[lang="km"]').first.inner_text().count(KHMER_STORY) == 1

    page.get_by_role("link", name="Add a translation").click()
    page.get_by_label("Language of the translation").select_option("en")
    page.get_by_label("Title").fill(ENGLISH_TITLE)
    page.get_by_label("What happened").fill("I wrote to the helpline on LINE in Khmer and a counsellor answered me "
                                            "within a few minutes.")
    page.get_by_label("Why this change is significant to the storyteller").fill("I know I am not alone.")
    page.get_by_label("Translator's note").fill("Translated by the Khmer-speaking interpreter on the night shift.")
    page.get_by_role("button", name="Save translation").click()

    assert page.get_by_role("heading", name=ENGLISH_TITLE).is_visible()
    assert page.get_by_role("heading", name=KHMER_TITLE).is_visible()
    assert page.locator('.story-text[lang="en"]').first.is_visible()
