#!/usr/bin/env bash
# The whole alignment benchmark (benches/ALIGNMENT.md): installs what it needs (gettext's
# msgunfmt, Debian packages with translated catalogues when the machine has few, nltk),
# then runs tmm's benchmark, nltk's Gale-Church on the same inputs, and the end-to-end
# timing beside a baseline revision.
#
#     scripts/alignment_bench.sh [BASELINE-REVISION]
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
updated=
apt_install() {
    [ -n "$updated" ] || { as_root apt-get update -qq; updated=1; }
    as_root apt-get install -y -qq "$@" >/dev/null
}
command -v msgunfmt >/dev/null || apt_install gettext
# Catalogues: the benchmark reads /usr/share/locale/<lang>/LC_MESSAGES/*.mo. Minimal images
# drop them (dpkg path-exclude); these packages bring long translated help texts back.
if [ "$(ls /usr/share/locale/fr/LC_MESSAGES/*.mo 2>/dev/null | wc -l)" -lt 5 ]; then
    echo "few catalogues under /usr/share/locale: installing packages with translations" >&2
    apt_install --reinstall coreutils grep findutils diffutils gettext apt dpkg-dev gnupg \
        libglib2.0-0 libgtk2.0-common bash
fi
python3 -c 'import nltk' 2>/dev/null || python3 -m pip install --quiet nltk
cargo bench --bench alignment
python3 scripts/nltk_damaged.py
python3 scripts/nltk_gale_church.py target/alignment/gettext-sentences.json
if [ -f target/alignment/blocks.json ]; then python3 scripts/nltk_gale_church.py; fi
scripts/align_scale.sh "$@"
