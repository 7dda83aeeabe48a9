"""ISO 3166-1 countries and ISO 4217 currencies, with names in the user's language."""

import gettext
from functools import lru_cache

import pycountry


@lru_cache(maxsize=16)
def _translation(domain, language):
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


def country_name(code, language="en"):
    """Return the common name of an alpha-2 country code, or the code itself if unknown."""
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _translation("iso3166-1", language).gettext(name)


@lru_cache(maxsize=16)
def country_choices(language="en"):
    """Return ``(code, name)`` for every country, sorted by name in ``language``."""
    choices = [(country.alpha_2, country_name(country.alpha_2, language)) for country in pycountry.countries]
    return tuple(sorted(choices, key=lambda choice: choice[1].casefold()))


def is_country(code):
    return pycountry.countries.get(alpha_2=(code or "").upper()) is not None


@lru_cache(maxsize=1)
def currency_choices():
    currencies = [(currency.alpha_3, f"{currency.alpha_3} – {currency.name}") for currency in pycountry.currencies]
    return tuple(sorted(currencies))


def is_currency(code):
    return pycountry.currencies.get(alpha_3=(code or "").upper()) is not None
