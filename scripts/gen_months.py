#!/usr/bin/env python3
"""Writes src/matching/months.rs: month names and numeric date orders from CLDR.

The data comes from the CLDR locale files that Babel ships (pip install babel); the header
of the generated file names Babel's and CLDR's versions. Run from the crate root:

    python3 scripts/gen_months.py > src/matching/months.rs && cargo fmt
"""

import re
import sys

import babel
from babel import Locale
from babel.core import get_cldr_version

# The six UN languages, and the Levantine Arabic names that UN Arabic writes beside the
# Egyptian ones ("أيلول/سبتمبر"). Chinese writes months as numbers (9月) and needs no names.
NAME_LOCALES = ["en", "fr", "es", "ru", "ar", "ar_SY"]
# Languages whose numeric short date order is looked up over all their CLDR locales.
ORDER_LANGUAGES = ["en", "fr", "es", "ru", "zh", "ar"]
CONTEXTS = ["format", "stand-alone"]


def rust_str(s):
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or 0x200E <= ord(c) <= 0x200F or 0x202A <= ord(c) <= 0x202E:
            out.append("\\u{%x}" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def numeric_order(pattern):
    """'D', 'M' or 'Y': which field a numeric short date pattern starts with."""
    fields = [f[0] for f in re.findall(r"d+|M+|y+", re.sub(r"'[^']*'", "", pattern))]
    return {"d": "D", "M": "M", "y": "Y"}[fields[0]] if fields else None


def main():
    out = sys.stdout
    out.write(
        "//! Month names and numeric date orders from CLDR %s, through Babel %s's locale data.\n"
        "//! Written by `scripts/gen_months.py`: edit the script, not this file.\n\n"
        % (get_cldr_version(), babel.__version__)
    )
    out.write(
        "/// Wide month names of one locale in one CLDR context (`format` is the form used in\n"
        "/// a date, the genitive in Russian; `stand-alone` the nominative).\n"
        "pub(crate) struct MonthNames {\n"
        "    pub locale: &'static str,\n"
        "    pub context: &'static str,\n"
        "    pub names: [&'static str; 12],\n"
        "}\n\n"
    )
    out.write("pub(crate) const MONTH_NAMES: &[MonthNames] = &[\n")
    for loc in NAME_LOCALES:
        months = Locale.parse(loc).months
        for ctx in CONTEXTS:
            names = [months[ctx]["wide"][m] for m in range(1, 13)]
            out.write(
                "    MonthNames { locale: %s, context: %s, names: [%s] },\n"
                % (rust_str(loc.replace("_", "-")), rust_str(ctx), ", ".join(rust_str(n) for n in names))
            )
    out.write("];\n\n")

    out.write(
        "/// The field a numeric date starts with in each language (`D` day, `M` month, `Y`\n"
        "/// year), from the short date patterns of all its CLDR locales; `None` when the\n"
        "/// locales that do not start with the year disagree (en: M/d/yy in the US, dd/MM/y in\n"
        "/// Britain).\n"
    )
    out.write("pub(crate) const NUMERIC_ORDER: &[(&str, Option<char>)] = &[\n")
    all_locales = sorted(babel.localedata.locale_identifiers())
    for lang in ORDER_LANGUAGES:
        orders = set()
        for ident in all_locales:
            if ident != lang and not ident.startswith(lang + "_"):
                continue
            o = numeric_order(Locale.parse(ident).date_formats["short"].pattern)
            if o and o != "Y":
                orders.add(o)
        value = "Some('%s')" % orders.pop() if len(orders) == 1 else "None"
        out.write("    (%s, %s),\n" % (rust_str(lang), value))
    out.write("];\n\n")

    out.write(
        "/// CLDR's long date pattern of each language (tests format dates with them).\n"
        "#[cfg(test)]\n"
        "pub(crate) const LONG_PATTERNS: &[(&str, &str)] = &[\n"
    )
    for lang in ORDER_LANGUAGES:
        out.write(
            "    (%s, %s),\n"
            % (rust_str(lang), rust_str(Locale.parse(lang).date_formats["long"].pattern))
        )
    out.write("];\n")


if __name__ == "__main__":
    main()
