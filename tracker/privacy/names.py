"""Common personal names and places in the fund's countries, for flagging names in story text.

Given names and family names as they are usually written in English-language reports
and in their own scripts. The list errs towards recall: a reviewer dismisses false alarms;
a missed name would reach a donor. It is completed by ``data/common_names.txt`` (the most
frequent names per country from the names-dataset package, shipped as a compact list because
the package itself needs about 1.9 GB of memory) and, for Thai script, by PyThaiNLP's name lists
(see :mod:`tracker.privacy.thai`).

Places are the other side of the coin: "Chiang Rai" or "Hoa Vang" are made of words that look
like names, and must not become ``[name]``. :func:`places` lists the provinces of the fund's
countries (from pycountry, with and without diacritics) and the towns and districts stories name.
"""

import functools
import unicodedata
from importlib import resources

VIETNAMESE = """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý
Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly
Anh Bảo Bình Chi Cường Dũng Duy Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Huy Khánh Khoa Lan Linh Long
Mai Minh My Nam Nga Ngọc Nhung Phong Phương Quang Quân Sơn Tâm Thảo Thắng Thanh Thu Thủy Trang Trung
Tuấn Tùng Vân Việt Vy Yến Binh Cuong Dung Hai Hanh Hieu Hung Huong Khanh Ngoc Phuong Quan Son Tam Thao
Thang Thuy Tuan Tung Viet Yen Văn Thị Hữu Đức Thi Huu Duc
"""

KHMER = """
Sok Sokha Sophea Sophal Sopheap Dara Dina Vanna Vannak Chenda Channary Chantha Bopha Kosal Kunthea
Leakhena Malis Mealea Narin Nary Pisey Piseth Rathana Ratana Sreymom Sreypov Srey Sovann Sothea Thida
Vibol Visal Chan Chea Heng Hun Kim Keo Long Meas Mao Nhem Noun Ouk Pen Phan Prak Seng Sim Sun Touch Yim
សុខ សុខា សោភា ដារា វណ្ណា ចិន្តា បុប្ផា ស្រីមុំ ស្រីពៅ ធីតា វិបុល វិសាល ចាន់ ជា ហេង គីម កែវ
"""

THAI = """
Somchai Somsak Somporn Sompong Surachai Suda Sunee Supaporn Siriporn Nattapong Niran Pranee Prasert
Kanya Kannika Malee Naree Nong Pim Ploy Fah Mali Wichai Wanida Thanakorn Thitima Chaiyaphon Kittisak
Anong Apinya Arunee Boonmee Chanida
สมชาย สมศักดิ์ สมพร สุดา สุนีย์ นภา มาลี ปลา ฟ้า ปิ่น พลอย วิชัย วนิดา กิตติศักดิ์ อรุณี
"""

LATIN_AMERICAN_AND_ENGLISH = """
María Maria José Jose Juan Ana Luis Carlos Carmen Rosa Miguel Pedro Jorge Francisco Manuel Luz Sofía
Sofia Valentina Camila Mateo Santiago Diego Daniela Gabriela Alejandro Fernanda Isabella Lucía Lucia
Rodríguez Rodriguez Martínez Martinez Pérez Perez Gómez Gomez Sánchez Sanchez Ramírez Ramirez Reyes
John James Mary Emma Olivia Liam Noah Sarah David Michael Daniel Jessica Emily Thomas Grace
Abdul Ahmed Aisha Ali Fatima Hassan Muhammad Mohammed Omar Zainab Bilal Ayesha
Thabo Sipho Lerato Nomvula Themba Zanele Ayanda Buhle
"""


# Names that are also everyday words (Vietnamese "ly" a cup, "mai" tomorrow, "nam" south,
# "hoa" flower; English "grace"): at the start of a sentence they are most often the word.
AMBIGUOUS = frozenset("""
Ly Mai Nam Long Hoa Lan Hà Thu Vân Bình Tâm Trung Hải Sơn Hùng My Linh Minh Hương Ngọc Phong Quang Việt
Grace Rosa Luz Will May Hope Joy Faith Sunny April June July August Rose Mark Bill Pat Sue Jack Drew Bob Ray
Bo Ben Do Carter Tim Dan Sri Dian Ade Nur Văn Van Thị Thi Viet Hữu Huu Đức Duc
""".split())


# Family names that start a Vietnamese full name: "Nguyen Thi Lan", "Trần Văn Bình".
VIETNAMESE_FAMILY_NAMES = frozenset(VIETNAMESE.split("\n")[1].split() + VIETNAMESE.split("\n")[2].split())

# Towns and districts stories name, beyond the provinces pycountry knows.
PLACES = """
Chiang Rai|Chiang Mai|Chiang Saen|Mae Sai|Mae Sot|Hat Yai|Pattaya|Bangkok|Khlong Toei|Udon Thani|Khon Kaen
Phnom Penh|Siem Reap|Battambang|Poipet|Sihanoukville|Kampong Cham|Takeo|Kep|Kampot|Prey Veng|Svay Rieng
Ha Noi|Hanoi|Hà Nội|Ho Chi Minh City|Hồ Chí Minh|Saigon|Sài Gòn|Da Nang|Đà Nẵng|Hoa Vang|Hòa Vang|Hue|Huế
Hai Phong|Hải Phòng|Can Tho|Cần Thơ|Lao Cai|Lào Cai|Sa Pa|Hoi An|Hội An|Nha Trang|Quang Nam|Quảng Nam
Hai Chau|Hải Châu|Cam Le|Cẩm Lệ|Lien Chieu|Liên Chiểu|Son Tra|Sơn Trà|Thanh Khe|Thanh Khê|Ngu Hanh Son|Ngũ Hành Sơn
Jakarta|Surabaya|Bandung|Medan|Yogyakarta|Semarang|Makassar|Denpasar|Bekasi|Bogor|Depok|Tangerang|Lombok
Kuala Lumpur|Johor Bahru|George Town|Penang|Kota Kinabalu|Kuching|Ipoh|Shah Alam|Petaling Jaya|Sabah|Sarawak
Manila|Quezon City|Cebu|Cebu City|Davao|Davao City|San Jose|Santa Cruz|San Fernando
Tacloban|Iloilo City|Baguio|Zamboanga|Caloocan|Pasig
Paris|Lyon|Marseille|Madrid|Barcelona|Bogotá|Bogota|Lima|Ciudad de México|Mexico City|Guadalajara|Medellín
"""

# Everyday words that some name list also holds ("The", "Dan" in Indonesian, "Co" in unaccented
# Vietnamese): never names, and not part of the name that follows them at the start of a sentence.
EVERYDAY_WORDS = frozenset("""
The This That These Those There Then They She He Her His Its It We You Our Your Who What When Where Why How
And But Or So If As At By For From In Into Of On To With After Before During Since Until While Every Each
Some Many Most Both All Any One Two Three Four Five Six Seven Eight Nine Ten First Last Next Today Later
Can Apple Angel Love Dawn Summer Autumn Art Guy Rich Chase Page Hunter Miles Cash Al Aj
Le La Les Un Une Des Du De Et Ou Mais Il Elle Ils Elles Nous Vous Ce Cette Son Sa Ses Leur En Au Aux Avec
El Los Las Una Unos Y Pero Él Ella Ellos Su Sus Con Por Para Sin Del Al Mi Tu Que
Di Ke Dari Dan Yang Ini Itu Ia Dia Mereka Kami Kita Saya Untuk Pada Dengan Sejak Setelah Ketika Anak Ibu
Ang Ng Mga Sa Si Ni Kay Siya Sila Kami Ako Ay Noong Nang Pero At Para
Em Anh Chị Cô Chú Bà Ông Và Của Khi Sau Trước Ở Tại Từ Một Hai Ba Bốn Năm Sáu Bảy Tám Chín Mười
Co Chi Chu Ong Va Cua Tai Tu Mot Nhom Du Ke Khi Toi Tim Tu Con Me Bo Ban Nha Truong Lop
School Street Road Avenue City District Province Village Ward Commune Helpline Hotline Police Project Fund
Young Old New Little Big North South East West Central Children Youth Girls Boys Parents Teachers
None Nothing Nobody Someone Everyone Anyone Over Under About Also Just Only Even Still Yet Thanks Please Yes
Merci Bonjour Alors Puis Aussi Donc Enfin Ensuite Personne Rien Tout Tous Gracias Nadie Nada Todos Todo Luego
""".split())

# Months (English, French, Spanish, Indonesian/Malay, Filipino, abbreviated): "June 2021" is a date, not a name.
MONTHS = frozenset("""
January February March April May June July August September October November December
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
Janvier Février Mars Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre
Enero Febrero Marzo Abril Mayo Junio Julio Agosto Septiembre Octubre Noviembre Diciembre
Januari Februari Maret Mei Juni Juli Agustus Oktober Desember Mac Julai Ogos Disember
Enero Pebrero Marso Abril Mayo Hunyo Hulyo Agosto Setyembre Oktubre Nobyembre Disyembre
""".split())


def without_diacritics(text):
    """"Nguyễn" -> "Nguyen", "Đà Nẵng" -> "Da Nang": how names are often typed without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@functools.cache
def shipped_names():
    """``{country code: frozenset(names)}`` from ``data/common_names.txt``."""
    by_country, country = {}, None
    text = resources.files("tracker.privacy").joinpath("data/common_names.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            country = line.strip("[]")
        else:
            by_country[country] = frozenset(line.split())
    return by_country


@functools.cache
def common_names():
    """Every listed given and family name, with Vietnamese names also without their diacritics."""
    listed = set(curated_names())
    for names in shipped_names().values():
        listed.update(names)
    return frozenset(listed - EVERYDAY_WORDS - places_words())


@functools.cache
def frequent_names():
    """The names above and each country's most frequent ones (``[XX]`` in ``data/common_names.txt``, not the
    longer tail of ``[XX+]``): sure enough to flag a name that stands alone at the start of a sentence."""
    listed = set(curated_names())
    for country, names in shipped_names().items():
        if not country.endswith("+"):
            listed.update(names)
    return frozenset(listed - EVERYDAY_WORDS - places_words())


def curated_names():
    return [*(VIETNAMESE + KHMER + THAI + LATIN_AMERICAN_AND_ENGLISH).split(),
            *(without_diacritics(name) for name in VIETNAMESE.split())]


@functools.cache
def places():
    """Place names of the fund's countries, as written with and without diacritics."""
    import pycountry  # noqa: PLC0415 (pycountry's subdivision table is loaded on first use only)

    names = {name.strip() for name in PLACES.replace("\n", "|").split("|") if name.strip()}
    for country in ("TH", "KH", "VN", "ID", "MY", "PH"):
        names.update(subdivision.name for subdivision in pycountry.subdivisions.get(country_code=country) or ())
    names.update(country.name for country in pycountry.countries)
    names.update(getattr(country, "common_name", country.name) for country in pycountry.countries)
    names.update({"Viet Nam", "Vietnam", "Laos", "Lao PDR", "Myanmar", "Timor-Leste"})
    names.update(without_diacritics(name) for name in list(names))
    return frozenset(names)


@functools.cache
def places_words():
    """Single words that are themselves a place ("Bangkok", "Sabah"): never a name on their own."""
    return frozenset(name for name in places() if " " not in name)
