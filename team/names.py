"""Spelling-blind keys for finding an athlete by name.

Azerbaijani names reach the newsroom in several scripts and many transliterations: the English press writes
"Imameddin Khalilov" or "Imamaddin Khalilov", the athlete's passport says "İmaməddin Xəlilov", a reader types
"Xelilov" on a keyboard without Azerbaijani letters, and Russian-language sources print "Имамеддин Халилов".

:func:`search_key` reduces every one of those spellings to the same comparison key, so a search is a plain
substring test::

    search_key(query) in search_key(athlete.name)

The key deliberately forgets distinctions that transliteration blurs (kh/x/h, c/j, a/e/ə, doubled letters, the
"y" glide before a vowel, ...). It is never shown to anyone, so it need not be readable; it is pure Python and
deterministic, so it can be computed per request or stored in a column.

Callers should treat an empty key (an empty or punctuation-only query) as "no filter": the empty string is a
substring of every key.
"""

import re
import unicodedata

__all__ = ["search_key"]

# Step 2: Cyrillic to Latin. "дж" is handled before this table (it is the Russian spelling of English j and
# Azerbaijani c). Iotated vowels keep their "y"; step 6 drops every "y" before a vowel, which is what turns
# "Кёнуль" (kyonul) into "konul" and "Бабаева"/"Babayeva" into the same key.
_CYRILLIC = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "yo",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "i",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        # Azerbaijani Cyrillic (1939-1991) letters.
        "ә": "e",
        "ғ": "gh",
        "ҹ": "j",
        "ҝ": "g",
        "ү": "u",
        "ө": "o",
        "һ": "h",
        "ј": "y",
        "і": "i",
    }
)

# Step 3: the Azerbaijani Latin letters that plain diacritic stripping would get wrong (ə and ı have no
# decomposition; ç and ş must become the English digraphs, not bare c and s).
_AZERBAIJANI = str.maketrans({"ə": "e", "ı": "i", "ç": "ch", "ş": "sh", "ğ": "gh", "ö": "o", "ü": "u"})

# Step 5: apostrophes and hyphens join the parts of a name ("Najaf-zadeh" == "Najafzadeh"); any other character
# that is not a-z separates words.
_JOINERS = str.maketrans(dict.fromkeys("'’ʼ‘`´-‐‑", ""))
_NOT_LETTERS = re.compile(r"[^a-z]+")

# Step 6: merge what transliterations confuse. Alternation order matters: "dzh" before "zh", digraphs before
# single letters. Each letter is rewritten once, so ch and sh can reuse the letters freed by this table: ch
# becomes "c" (Azerbaijani c itself becomes j) and sh becomes "x" (Azerbaijani x itself becomes h). The key stays
# lower-case a-z, so a case-insensitive database LIKE (SQLite's `contains`) cannot blur sh into s.
_MERGES = {
    "dzh": "j",  # Russian-style English: Dzheykhun
    "dj": "j",  # French-style English: Djeyhun
    "ch": "c",  # English ch == Azerbaijani ç == ч
    "sh": "x",  # English sh == Azerbaijani ş == ш
    "zh": "j",  # ж
    "kh": "h",  # English kh == Azerbaijani x == х (which Russian also uses for h)
    "gh": "g",  # Azerbaijani ğ
    "c": "j",  # Azerbaijani c (Ceyhun) == English j (Jeyhun) == дж
    "x": "h",  # Azerbaijani x (Xəlilov) == kh (Khalilov)
    "q": "g",  # Azerbaijani q (Qasımov) == Russian г (Гасымов)
    "e": "a",  # a, e and ə swap freely between spellings (Imamaddin / Imameddin / İmaməddin)
}
_MERGE = re.compile(r"dzh|dj|ch|sh|zh|kh|gh|[cxqe]")
_GLIDE_Y = re.compile(r"y(?=[aeiou])")  # Valiyeva / Valieva / Велиева, Babayeva / Бабаева, Kyonul / Konul
_DOUBLED = re.compile(r"(.)\1+")  # Mammadov / Mamedov
# English writes the surname suffix -zadə / -заде in its Persian form -zadeh (Najafzadeh / Nəcəfzadə / Наджафзаде).
_ZADEH = re.compile(r"zadah\b")


def search_key(text: str) -> str:
    """Reduce a name, or a reader's partial query, to a spelling-blind comparison key.

    Any spelling of the same name (English transliteration, Azerbaijani Latin with or without its special
    letters, Russian or Azerbaijani Cyrillic, any case) gives the same key, so ``search_key(query) in
    search_key(name)`` finds a name from any part of any of its spellings. The key holds only lower-case a-z with
    single spaces between words; an empty or punctuation-only text gives ``""``.
    """
    # 1. Compose first (a decomposed "ş" must not lose its cedilla before step 3), then lowercase. Python lowers
    #    the dotted capital İ to "i" + combining dot; map it to a plain i up front.
    text = unicodedata.normalize("NFC", text).replace("İ", "i").lower()
    # 2. Cyrillic to Latin.
    text = text.replace("дж", "j").translate(_CYRILLIC)
    # 3. Azerbaijani Latin letters.
    text = text.translate(_AZERBAIJANI)
    # 4. Strip any remaining diacritics (é, ñ, a stray combining mark).
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # 5. Keep only a-z, words separated by single spaces.
    text = _NOT_LETTERS.sub(" ", text.translate(_JOINERS)).strip()
    # 6. Merge confusable spellings; drop the "y" glide before a vowel, otherwise y sounds like i (Zeynalov /
    #    Zeinalov); collapse doubled letters last, after the merges have created new doubles (Babaeva -> babaava).
    text = _MERGE.sub(lambda match: _MERGES[match.group()], text)
    text = _GLIDE_Y.sub("", text).replace("y", "i")
    text = _ZADEH.sub("zada", text)
    return _DOUBLED.sub(r"\1", text)
