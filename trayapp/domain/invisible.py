"""Characters nobody can see: Unicode's Default_Ignorable_Code_Point property.

Python's :mod:`unicodedata` has no such property, and a category test misses
some (U+034F COMBINING GRAPHEME JOINER is Mn; the Hangul fillers U+115F,
U+1160, U+3164 and U+FFA0 are Lo; the variation selectors are Mn). So the
property is kept here as a table of ranges, derived from its Unicode
definition (DerivedCoreProperties.txt)::

    Other_Default_Ignorable_Code_Point + Cf + Variation_Selector
    - White_Space - U+FFF9..U+FFFB - U+13430..U+1343F - Prepended_Concatenation_Mark

Unicode 14.0.0, the version of Python 3.11's ``unicodedata`` (whose categories
:mod:`trayapp.domain.text` drops beside it). To regenerate for another version, print the ranges
of the property itself, e.g. with Perl, which carries it::

    perl -e 'for (0..0x10FFFF) { next if $_ >= 0xD800 && $_ <= 0xDFFF;
      print "$_\\n" if chr($_) =~ /\\p{Default_Ignorable_Code_Point}/ }'

or from ``https://www.unicode.org/Public/<version>/ucd/DerivedCoreProperties.txt``
(the lines ``... ; Default_Ignorable_Code_Point``), merging adjacent ranges.
``tests/faults/test_textout.py`` checks the table against characters the
Unicode data names. Controls (Cc) and the other never-shown categories are
dropped by category in :mod:`trayapp.domain.text`; the bidi controls are all
in this table (and in Cf).
"""

from __future__ import annotations

import re

DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)

# One precompiled class: a C-speed scan, whatever the text's length.
IGNORABLE = re.compile("[" + "".join(
    re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
    for lo, hi in DEFAULT_IGNORABLE) + "]")


def is_ignorable(ch: str) -> bool:
    """Is ``ch`` (one character) a Default_Ignorable_Code_Point?"""
    return IGNORABLE.fullmatch(ch) is not None
