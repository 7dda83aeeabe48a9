"""Password policy and hashing: length limits, no composition rules, common passwords refused, argon2id kept current."""

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tests.factories import TEST_PASSWORD
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.auth.passwords import is_common
from tracker.auth.passwords import make_hasher
from tracker.auth.passwords import password_problems
from tracker.common.errors import ValidationFailed


@pytest.mark.parametrize("password", [
    "password1234", "Password2024!", "qazwsxedcrfv", "1qaz2wsx3edc", "iloveyou1234", "qwertyqwerty",
    "zzzzzzzzzzzz", "abcabcabcabc", "P A S S W O R D 1 2 3",
])
def test_common_passwords_and_their_decorations_are_refused(password):
    assert is_common(password)
    assert "attackers try first" in password_problems(password)[0]


@pytest.mark.parametrize("password", [
    "correct horse battery staple", "mango tractor lullaby", "Khmer: ពាក្យសម្ងាត់វែង", "blue-kettle-seventeen",
])
def test_uncommon_passphrases_are_accepted(password):
    assert password_problems(password) == []


def test_a_common_password_is_a_field_error_when_an_admin_creates_a_user(client, factory, login, session, submit):
    login(factory.user("admin"))
    session.commit()

    response = submit("/admin/users/new", {"email": "new@example.org", "display_name": "Field officer",
                                           "role": "grantee", "password": "Password2024!"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="password-error"' in html and "attackers try first" in html
    assert session.scalar(sa.select(User).where(User.email == "new@example.org")) is None


@pytest.mark.both_backends
def test_login_rehashes_a_password_hashed_with_older_parameters(app, session, submit):
    old_hasher = make_hasher(1, 16, 1)
    user = auth_services.create_user(session, old_hasher, TEST_ACTOR, email="donor@example.org",
                                     display_name="Donor", role="donor", password=TEST_PASSWORD)
    session.commit()
    old_hash = user.password_hash

    response = submit("/login", {"email": "donor@example.org", "password": TEST_PASSWORD})

    session.expire_all()
    new_hash = session.get(User, user.id).password_hash
    assert response.status_code == 302
    assert "m=16," in old_hash and "m=8," in new_hash
    assert new_hash.startswith("$argon2id$")
    assert not app.extensions["tracker.hasher"].check_needs_rehash(new_hash)


def test_creating_a_user_with_a_common_password_fails_in_the_service(factory):
    with pytest.raises(ValidationFailed) as error:
        factory.user("donor", password="iloveyou2024")

    assert error.value.reasons[0][0] == "password"
