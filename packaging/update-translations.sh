#!/usr/bin/env bash
# Brings the translations up to date with the tr() strings in app/, ui/ and src/: new strings are
# added as unfinished, translated ones are kept, strings gone from the code are dropped.
# Then translate the unfinished ones (Qt Linguist: `linguist resources/translations/spool_ru.ts`,
# or any editor); tst_translations fails while a string has no Russian translation.
#   spool_ru.ts  every string, Russian (three plural forms: 1 файл, 2 файла, 5 файлов)
#   spool_en.ts  only the %n strings, for English plural forms (1 job, 5 jobs)
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt 6's lupdate (Debian: qt6-l10n-tools); a bare `lupdate` on PATH may be Qt 5's.
lupdate=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
[ -x "$lupdate" ] || lupdate=$(command -v lupdate6 || command -v lupdate)
sources=(app ui src)
common=(-locations none -no-obsolete -extensions cpp,h)

"$lupdate" "${common[@]}" -target-language ru "${sources[@]}" -ts resources/translations/spool_ru.ts
"$lupdate" "${common[@]}" -pluralonly -target-language en "${sources[@]}" -ts resources/translations/spool_en.ts
