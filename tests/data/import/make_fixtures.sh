#!/usr/bin/env bash
# Makes the import fixtures (tests/import_test.cpp). The CSV files are
# written here byte for byte (BOM, Windows-1252, `;`, quoted newlines); the
# XLSX files are converted from them by LibreOffice headless, as a client's
# spreadsheet would be saved. Needs `soffice` (Debian: libreoffice-calc-nogui;
# not in scripts/setup.sh: only this script needs it, the fixtures are
# committed). Run from anywhere: ./make_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")"

# English headers, `,`, UTF-8 without BOM, a quoted cell with a newline.
printf '%s\r\n' \
  'Name,Email,Department,Function,About,Notify,Groups,Roles,Timezone,ID' \
  'Lena Wagner,lena.wagner@acme.example,IT,Admin,"Two lines:' \
  'second line",yes,"IT, HR",administrator,Europe/Berlin,1001' \
  'Mara Klein,Mara.Klein@acme.example,Sales,,,no,Graphics,,Europe/Vienna,1002' \
  > users_en.csv

# German headers in another order, `;`, UTF-8 with a BOM.
{ printf '\xEF\xBB\xBF'; printf '%s\r\n' \
  'Gruppen;E-Mail;Name;Über;Zeitzone' \
  'IT, Legal;ahmet.yilmaz@acme.example;Ahmet Yılmaz;Größe: 1,80 m;Europe/Istanbul'; } \
  > users_de_bom.csv

# Windows-1252 (Excel's "CSV" in a German Windows): ü is 0xFC, € is 0x80.
printf 'Name;E-Mail;\xDCber\r\nJ\xFCrgen M\xFCller;juergen.mueller@acme.example;Budget 5 \x80\r\n' \
  > users_1252.csv

# Every problem at once (F-I5): an unknown header, unknown group and role,
# a row without email, one without name, a doubled email.
printf '%s\n' \
  'Name;E-Mail;Gruppen;Rollen;Abteilng' \
  'Tom Richter;tom.richter@acme.example;Finanse;;x' \
  ';nobody@acme.example;IT;;x' \
  'No Mail;;IT;;x' \
  'Tom Again;TOM.RICHTER@acme.example;IT;admin;x' \
  > users_problems.csv
printf '%s\n' \
  'Name;E-Mail;Gruppen;Rollen' \
  'Tom Richter;tom.richter@acme.example;Finanse;' \
  ';nobody@acme.example;IT;' \
  'Tom Again;TOM.RICHTER@acme.example;IT;admin' \
  > users_bad_rows.csv

# The same tables as XLSX, saved by LibreOffice Calc. The CSV import filter
# options: separator (44 = `,` 59 = `;`), quote 34, charset 76 = UTF-8.
convert() { # input separator output
  local tmp; tmp=$(mktemp -d)
  cp "$1" "$tmp/in.csv"
  soffice --headless --norestore --infilter="CSV:$2,34,76,1" --convert-to xlsx \
    --outdir "$tmp" "$tmp/in.csv" >/dev/null 2>&1
  mv "$tmp/in.xlsx" "$3"
  rm -rf "$tmp"
}
convert users_en.csv 44 users_en_libreoffice.xlsx
convert users_de_bom.csv 59 users_de_libreoffice.xlsx
convert users_bad_rows.csv 59 users_bad_rows_libreoffice.xlsx
