"""Vietnamese text helpers: normalisation, diacritic-free folding and Vietnamese sort keys.

Text is stored NFC-normalised and trimmed (DESIGN.md "Bad input"). Search compares *folded* text
(no diacritics, đ → d, lower case), so "nguyen van a", "NGUYỄN VĂN A" and a decomposed "Nguyễn"
all find "Nguyễn Văn A". Lists sort the Vietnamese way: by given name, then family and middle
names, in Vietnamese letter order (a ă â b c d đ e ê …), tones breaking ties.
"""

import functools
import unicodedata

# Combining marks that make a different letter in the Vietnamese alphabet (ă â ê ô ơ ư).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tone marks, in dictionary order: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_TONE_ORDER = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

_ALPHABET = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")  # Vietnamese letter order, then f j w z
# Two-digit codes: 00 ends the primary key, 01 separates words, digits 02–11, letters from 12.
_CODES = {str(d): f"{d + 2:02d}" for d in range(10)}
_CODES.update({letter: f"{i + 12:02d}" for i, letter in enumerate(_ALPHABET)})


def clean_text(value: str | None) -> str:
    """NFC-normalise, trim and collapse inner white space; None becomes ''."""
    if value is None:
        return ""
    # str.split() splits on the same white space as \s and drops the ends: several times faster than
    # a regular expression, and imports call this for every cell.
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def fold(value: str | None) -> str:
    """Diacritic- and case-insensitive form used for search: 'Nguyễn Đức' -> 'nguyen duc'."""
    return " ".join(_fold_word(word) for word in clean_text(value).split(" ") if word)


# Names, places and headers repeat the same few thousand words: an import of 20,000 rows folds and
# keys each distinct word once.
@functools.lru_cache(maxsize=50_000)
def _fold_word(word: str) -> str:
    text = unicodedata.normalize("NFD", word)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", "d").replace("Đ", "D").lower()


def _letters(word: str) -> list[tuple[str, int]]:
    """Split a word into (Vietnamese letter, tone) pairs."""
    out: list[tuple[str, int]] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(ch):
            if not out:
                continue
            base, tone = out[-1]
            if ch in _LETTER_MARKS:
                out[-1] = (unicodedata.normalize("NFC", base + ch), tone)
            elif ch in _TONE_ORDER:
                out[-1] = (base, _TONE_ORDER[ch])
            continue
        out.append((ch, 0))
    return out


def split_name(full_name: str) -> tuple[str, str]:
    """('Nguyễn Văn', 'An') for 'Nguyễn Văn An': family and middle names, then the given name."""
    words = clean_text(full_name).split(" ")
    if len(words) == 1:
        return "", words[0]
    return " ".join(words[:-1]), words[-1]


@functools.lru_cache(maxsize=50_000)
def _word_key(word: str) -> tuple[str, str]:
    """(letter codes, tone digits) of one word.

    A number sorts by its value ("Tổ dân phố số 2" before "số 10"): its digits come after the code
    of how many there are, so a shorter number comes first.
    """
    primary: list[str] = []
    tones: list[str] = []
    if word.isdigit() and word.isascii() and len(word) < 10:
        primary.append(_CODES[str(len(word))])
        tones.append("0")
    for letter, tone in _letters(word):
        code = _CODES.get(letter)
        if code is None:
            continue
        primary.append(code)
        tones.append(str(tone))
    return "".join(primary), "".join(tones)


def _key(words: list[str]) -> str:
    keys = [_word_key(word) for word in words]
    return "01".join(primary for primary, _ in keys) + "00" + "".join(tones for _, tones in keys)


def vn_sort_key(full_name: str) -> str:
    """A digits-only key whose byte order is the Vietnamese order of full names.

    Given name first, then family and middle names. Digits only, so every database collation
    (C, en_US, ICU) orders it the same way.
    """
    rest, given = split_name(full_name)
    return _key([given] + [w for w in rest.split(" ") if w])


def vn_text_key(text: str) -> str:
    """The Vietnamese dictionary order of any text, word by word, numbers by value (organisation
    names, places: "Chi bộ Tổ dân phố số 2" before "số 10")."""
    return _key([w for w in clean_text(text).split(" ") if w])


# Administrative prefixes of Vietnam's place names since 07/2025 (with the older levels still seen
# in addresses), longest first: "Thành phố Hà Nội" is filed under H.
PLACE_PREFIXES = ("thành phố", "đặc khu", "phường", "tỉnh", "quận", "huyện", "thị xã", "thị trấn", "xã")


def vn_place_key(name: str) -> str:
    """The Vietnamese order of a place name without its administrative prefix ("Thành phố Hà Nội"
    between "Tỉnh Điện Biên" and "Tỉnh Thanh Hóa"); digits only, like `vn_text_key`."""
    text = clean_text(name)
    lowered = text.lower()
    for prefix in PLACE_PREFIXES:
        if lowered.startswith(prefix + " ") and len(text) > len(prefix) + 1:
            text = text[len(prefix) + 1 :]
            break
    return vn_text_key(text)


def by_vn_name(items) -> list:
    """`items` (anything with a `name`) in the Vietnamese order of their names (`vn_text_key`)."""
    return sorted(items, key=lambda item: vn_text_key(item.name))


def contains_words(text_folded: str, words_folded: str) -> bool:
    """Whether `words_folded` appears in `text_folded` as whole words ("thon 1" is not in "thon 10")."""
    return bool(words_folded) and f" {words_folded} " in f" {text_folded} "
