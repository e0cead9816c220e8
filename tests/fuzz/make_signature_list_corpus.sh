#!/usr/bin/env bash
# Writes the seeds of fuzz_signature_list into corpus/signature_list/: lists of real
# certificates (made here by the openssl CLI, written by efitools'
# cert-to-efi-sig-list; the keys are thrown away), one beside a list of another
# type, and a few cut or bent copies. Run from anywhere; rewrites the folder.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/corpus/signature_list
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
rm -f "$out"/*
cd "$tmp"
openssl req -x509 -newkey rsa:2048 -nodes -keyout a.key -out a.pem -days 30 -subj /CN=seed-a 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout b.key -out b.pem -days 30 -subj /CN=seed-b 2>/dev/null
cert-to-efi-sig-list a.pem a.esl
cert-to-efi-sig-list b.pem b.esl
# A SHA-256 list (type c1c41626-504c-4092-aca9-41f936934328) with two 48-byte signatures.
python3 - <<'PY'
import struct
t = bytes.fromhex("2616c4c14c509240aca941f936934328")
open("hash.esl", "wb").write(t + struct.pack("<III", 28 + 96, 0, 48) + bytes(range(96)))
PY
cp a.esl "$out/one_certificate"
cat a.esl b.esl > "$out/two_certificates"
cat hash.esl a.esl > "$out/other_type_first"
head -c 100 a.esl > "$out/cut_in_certificate"
head -c 20 b.esl | cat a.esl - > "$out/cut_header"
cp hash.esl "$out/other_type_only"
ls -l "$out"
