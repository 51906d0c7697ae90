#!/usr/bin/env bash
# Turns a text file into a C string constant: embed.sh FILE SYMBOL > out.c
set -euo pipefail
file=$1 sym=$2
printf '/* generated from %s by scripts/embed.sh; do not edit */\n' "$file"
printf 'const char %s[] = {\n' "$sym"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '0x00};\n'
