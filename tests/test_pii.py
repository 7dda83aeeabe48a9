"""Flagging personal data before donor sharing: a reviewer's aid that errs towards recall."""

import pytest

from tracker.privacy.pii import Kind
from tracker.privacy.pii import find_personal_data
from tracker.privacy.pii import propose_redaction


def kinds(text, **kwargs):
    return [(finding.kind, finding.text.strip()) for finding in find_personal_data(text, **kwargs)]


@pytest.mark.parametrize("text, expected", [
    ("Call her mother on +855 12 345 678 tonight.", "+855 12 345 678"),
    ("The hotline number 090-123-4567 was shared.", "090-123-4567"),
    ("Reach us at (02) 1234 5678.", "(02) 1234 5678"),
])
def test_phone_numbers_are_flagged(text, expected):
    assert (Kind.PHONE, expected) in kinds(text)


@pytest.mark.parametrize("text", ["The project ran 2019-2022.", "Recorded on 2023-04-17.", "Budget: 1,500,000 USD."])
def test_dates_year_spans_and_amounts_are_not_phone_numbers(text):
    assert not [kind for kind, _ in kinds(text) if kind == Kind.PHONE]


def test_email_addresses_are_flagged():
    assert (Kind.EMAIL, "counsellor.nga@helpline.example.org") in kinds(
        "She wrote to counsellor.nga@helpline.example.org for help.")


@pytest.mark.parametrize("text, expected", [
    ("A 14-year-old girl from Da Nang called the hotline.", "14-year-old girl from Da Nang"),
    ("The boy, aged 12 in Phnom Penh, was approached online.", "aged 12 in Phnom Penh"),
    ("Em 15 tuổi ở Đà Nẵng đã kể lại.", "15 tuổi ở Đà Nẵng"),
])
def test_exact_ages_next_to_places_are_flagged(text, expected):
    assert (Kind.AGE_AND_PLACE, expected) in kinds(text)


def test_an_age_alone_is_not_flagged():
    assert kinds("Children aged 13 to 17 took part.") == []


@pytest.mark.parametrize("text, expected", [
    ("He studies at Le Loi Secondary School.", "Le Loi Secondary School"),
    ("Em học ở Trường THCS Nguyễn Huệ.", "Trường THCS Nguyễn Huệ"),
    ("เธอเรียนที่โรงเรียนบ้านหนองบัว", "โรงเรียนบ้านหนองบัว"),
])
def test_school_names_are_flagged(text, expected):
    assert (Kind.SCHOOL, expected) in kinds(text)


@pytest.mark.parametrize("text, expected", [
    ("The family lives at 12 Tran Phu Street.", "12 Tran Phu Street"),
    ("Nhà em ở số 45 đường Lê Lợi.", "số 45 đường Lê Lợi"),
])
def test_street_addresses_are_flagged(text, expected):
    assert (Kind.ADDRESS, expected) in kinds(text)


def test_listed_names_are_flagged_with_the_rest_of_the_full_name():
    assert (Kind.NAME, "Nguyễn Văn Bình") in kinds("Her cousin Nguyễn Văn Bình reported it.")


def test_names_from_the_record_itself_are_flagged_in_any_case():
    assert (Kind.NAME, "kosal") in kinds("Then kosal told the volunteer.", known_names=["Kosal"])


def test_names_in_scripts_without_capitals_are_flagged():
    assert (Kind.NAME, "สมชาย") in kinds("สมชาย โทรหาสายด่วน")


def test_ordinary_words_are_left_alone():
    assert kinds("The child club peer leader helped his friend go to the village volunteer.") == []


def test_redaction_replaces_each_finding_with_a_placeholder():
    text = "Sokha, 13 years old from Siem Reap, called 012 345 6789."

    redacted = propose_redaction(text, find_personal_data(text))

    assert redacted == "[name], [age and place], called [phone number]."


def test_a_name_that_is_also_a_word_is_not_flagged_alone_at_a_sentence_start():
    assert kinds("Ly cà phê hôm ấy đã thay đổi mọi thứ.") == []


def test_the_same_name_is_flagged_inside_a_sentence():
    assert (Kind.NAME, "Mai") in kinds("Then Mai told the peer leader.")
