"""Languages a story can be told or translated in: BCP 47 codes with English names and autonyms.

The list covers the fund's countries and can grow; the code is what is stored
and what the page's ``lang`` attribute carries, so screen readers and fonts
pick the right script.
"""

LANGUAGES = {
    "en": ("English", "English"),
    "vi": ("Vietnamese", "Tiếng Việt"),
    "km": ("Khmer", "ភាសាខ្មែរ"),
    "th": ("Thai", "ภาษาไทย"),
    "id": ("Indonesian", "Bahasa Indonesia"),
    "ms": ("Malay", "Bahasa Melayu"),
    "fil": ("Filipino", "Filipino"),
    "lo": ("Lao", "ພາສາລາວ"),
    "my": ("Burmese", "မြန်မာဘာသာ"),
    "zh": ("Chinese", "中文"),
    "ur": ("Urdu", "اردو"),
    "hi": ("Hindi", "हिन्दी"),
    "bn": ("Bengali", "বাংলা"),
    "ar": ("Arabic", "العربية"),
    "sw": ("Swahili", "Kiswahili"),
    "zu": ("Zulu", "isiZulu"),
    "xh": ("Xhosa", "isiXhosa"),
    "af": ("Afrikaans", "Afrikaans"),
    "fr": ("French", "Français"),
    "es": ("Spanish", "Español"),
    "pt": ("Portuguese", "Português"),
    "sgn": ("A sign language (transcribed)", "Sign language"),
}
RIGHT_TO_LEFT = frozenset({"ur", "ar"})


def is_language(code):
    return code in LANGUAGES


def language_name(code):
    """The English name and autonym, e.g. "Khmer (ភាសាខ្មែរ)"; the code itself if unknown."""
    if code not in LANGUAGES:
        return code
    english, autonym = LANGUAGES[code]
    return english if english == autonym else f"{english} ({autonym})"


def language_choices():
    return sorted(((code, language_name(code)) for code in LANGUAGES), key=lambda choice: choice[1].casefold())


def direction(code):
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"
