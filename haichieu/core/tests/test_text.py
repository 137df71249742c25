import unicodedata

from haichieu.core.paths import group_by_top, in_subtree, minimal_paths, path_successor
from haichieu.core.text import clean_text, fold, split_name, vn_place_key, vn_sort_key


def test_clean_text_normalises_to_nfc_and_trims():
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Văn\tAn ")
    assert clean_text(decomposed) == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))
    assert clean_text(None) == ""


def test_fold_ignores_diacritics_case_and_d_stroke():
    assert fold("NGUYỄN VĂN A") == "nguyen van a"
    assert fold(unicodedata.normalize("NFD", "Nguyễn")) == "nguyen"
    assert fold("Đặng Đức") == "dang duc"


def test_split_name_takes_the_last_word_as_given_name():
    assert split_name("Nguyễn Thị Minh Khai") == ("Nguyễn Thị Minh", "Khai")
    assert split_name("An") == ("", "An")


def test_sort_key_orders_by_given_name_then_family_and_middle():
    names = ["Trần Văn Bình", "Nguyễn Văn An", "Lê Thị An", "Phạm Minh Anh"]
    assert sorted(names, key=vn_sort_key) == ["Lê Thị An", "Nguyễn Văn An", "Phạm Minh Anh", "Trần Văn Bình"]


def test_sort_key_follows_vietnamese_letter_order():
    # a < ă < â < b; d < đ < e; o < ô < ơ; u < ư
    given = ["Đào", "Dũng", "Ân", "Ăn", "An", "Bảo", "Ơn", "Ôn", "On", "Ưng", "Uyên", "Em", "Êm"]
    ordered = [split_name(n)[1] for n in sorted(["Lê " + g for g in given], key=vn_sort_key)]
    assert ordered == ["An", "Ăn", "Ân", "Bảo", "Dũng", "Đào", "Em", "Êm", "On", "Ôn", "Ơn", "Uyên", "Ưng"]


def test_sort_key_puts_tones_after_the_letters_and_is_digits_only():
    keys = [
        vn_sort_key(n) for n in ["Lê Văn Ba", "Lê Văn Bà", "Lê Văn Bả", "Lê Văn Bã", "Lê Văn Bá", "Lê Văn Bạ"]
    ]
    assert keys == sorted(keys)
    assert all(k.isdigit() for k in keys)
    # A shorter given name comes before a longer one that starts with it, whatever the tones.
    assert vn_sort_key("Lê Văn Bá") < vn_sort_key("Lê Văn Bac")


def test_sort_key_is_the_same_for_composed_and_decomposed_input():
    assert vn_sort_key("Nguyễn Văn Ấn") == vn_sort_key(unicodedata.normalize("NFD", "Nguyễn Văn Ấn"))


def test_path_successor_and_minimal_paths():
    assert path_successor("0001") == "0002"
    assert path_successor("0009") == "000A"
    assert path_successor("000Z") == "001"
    assert path_successor("ZZZZ") is None
    assert minimal_paths(["00010002", "0001", "0002", "0001"]) == ["0001", "0002"]


def test_text_key_orders_organisation_names_the_vietnamese_way():
    from haichieu.core.text import vn_text_key

    names = ["Ủy ban Kiểm tra", "Đảng bộ Doanh nghiệp", "Đảng bộ các cơ quan", "Chi bộ Ấp 2", "Chi bộ Ấp 10"]
    assert sorted(names, key=vn_text_key) == [
        "Chi bộ Ấp 2",
        "Chi bộ Ấp 10",
        "Đảng bộ các cơ quan",
        "Đảng bộ Doanh nghiệp",
        "Ủy ban Kiểm tra",
    ]


def test_numbers_in_names_sort_by_value():
    from haichieu.core.text import vn_text_key

    cells = [f"Chi bộ Tổ dân phố số {n}" for n in (10, 2, 1, 11, 100, 9)] + ["Chi bộ Tổ dân phố Đông"]
    assert sorted(cells, key=vn_text_key) == [
        "Chi bộ Tổ dân phố Đông",
        "Chi bộ Tổ dân phố số 1",
        "Chi bộ Tổ dân phố số 2",
        "Chi bộ Tổ dân phố số 9",
        "Chi bộ Tổ dân phố số 10",
        "Chi bộ Tổ dân phố số 11",
        "Chi bộ Tổ dân phố số 100",
    ]
    assert sorted(["Thôn 3B", "Thôn 3", "Thôn 12"], key=vn_text_key) == ["Thôn 3", "Thôn 12", "Thôn 3B"]


def test_contains_words_matches_whole_words_only():
    from haichieu.core.text import contains_words

    assert contains_words("chi bo to dan pho so 1", "to dan pho so 1")
    assert not contains_words("chi bo to dan pho so 10", "to dan pho so 1")
    assert not contains_words("chi bo thon 1", "")


def test_group_by_top_is_in_subtree_for_each_top():
    paths = ["0001", "00010001", "000100010003", "00010002", "0002", "00020001", "0003", "000300010001"]
    tops = ["0001", "00010001", "0002", "00030001", "0009"]
    groups = group_by_top(paths, tops, path=lambda p: p)
    assert groups == {top: [p for p in paths if in_subtree(p, top)] for top in tops}
    assert groups["0009"] == [] and groups["00010001"] == ["00010001", "000100010003"]


def test_place_names_sort_without_their_administrative_prefix():
    """ "Thành phố Hà Nội" sorts under H, not T (issue 15, item 10)."""
    names = ["Tỉnh Thanh Hóa", "Thành phố Hà Nội", "Tỉnh An Giang", "Thành phố Đà Nẵng", "Tỉnh Điện Biên"]
    assert sorted(names, key=vn_place_key) == [
        "Tỉnh An Giang",
        "Thành phố Đà Nẵng",
        "Tỉnh Điện Biên",
        "Thành phố Hà Nội",
        "Tỉnh Thanh Hóa",
    ]
    communes = ["Xã Yên Bình", "Phường Ba Đình", "Đặc khu Côn Đảo", "Phường Hoàn Kiếm", "Xã An Khánh"]
    assert sorted(communes, key=vn_place_key) == [
        "Xã An Khánh",
        "Phường Ba Đình",
        "Đặc khu Côn Đảo",
        "Phường Hoàn Kiếm",
        "Xã Yên Bình",
    ]
    assert vn_place_key("Phường 1") < vn_place_key("Phường 10")
