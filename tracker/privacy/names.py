"""Common personal names in the fund's countries, for flagging names in story text.

Given names and family names as they are usually written in English-language reports
and in their own scripts. The list errs towards recall: a reviewer dismisses false alarms;
a missed name would reach a donor.
"""

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
Grace Rosa Luz Will May
""".split())


def common_names():
    text = VIETNAMESE + KHMER + THAI + LATIN_AMERICAN_AND_ENGLISH
    return frozenset(text.split())
