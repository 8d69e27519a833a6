from civicpulse.understand.tokens import terms, words


def test_vietnamese_terms_are_folded_unigrams_and_bigrams() -> None:
    assert terms("Ngập nặng ở Thủ Đức", "vi") == ["ngap", "nang", "thu", "duc", "ngap_nang", "thu_duc"]


def test_vietnamese_with_and_without_diacritics_give_the_same_terms() -> None:
    assert terms("Đường Nguyễn Hữu Cảnh ngập nặng", "vi") == terms("duong nguyen huu canh ngap nang", "vi")


def test_stop_words_break_bigrams() -> None:
    assert "nha_cua" not in terms("nhà của tôi", "vi")
    assert terms("nhà của tôi", "vi") == ["nha", "toi"]


def test_diacritics_keep_content_words_whose_folded_form_is_a_stop_word() -> None:
    assert "ve" in terms("giá vé xe buýt", "vi")


def test_folded_stop_words_keep_ambiguous_syllables() -> None:
    assert "tai_nan" in terms("tai nan giao thong", "vi")
    assert "cac" not in terms("cac tuyen duong", "vi")


def test_english_terms_drop_stop_words_and_lower_case() -> None:
    assert terms("The Flooding in District 7 is getting WORSE", "en") == [
        "flooding",
        "district",
        "7",
        "getting",
        "worse",
    ]


def test_urls_mentions_and_hashtags_are_not_terms() -> None:
    assert words("xem https://vnexpress.net/a-b @ubnd #ngapluc") == ["xem"]


def test_vowel_signs_stay_inside_words() -> None:
    # Devanagari and Arabic vowel signs are combining marks; Python's \w leaves them out of words.
    assert terms("मुंबई में भारी बारिश", "hi") == ["मुंबई", "में", "भारी", "बारिश"]
    assert terms("فَيَضَانٌ في جدة", "ar") == ["فَيَضَانٌ", "في", "جدة"]
