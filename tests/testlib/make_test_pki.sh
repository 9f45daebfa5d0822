#!/usr/bin/env bash
# Makes the integration tests' PKI (tests/testlib/test_pki.h) in DIR, once per
# build: a CA, a server certificate for localhost and 127.0.0.1, a client
# certificate with SAN DNS:app1.test, and a second, foreign CA with a client
# certificate of its own. EC P-256; valid ten years so a build tree does not
# age out. Test-only.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"

ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=$1" -keyout "$1.key" -out "$1.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
}

# leaf CA NAME CN SAN USAGE
leaf() {
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=%s\n' "$4" "$5" >"$2.ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$3" \
    -keyout "$2.key" -out "$2.csr" 2>/dev/null
  openssl x509 -req -in "$2.csr" -CA "$1.crt" -CAkey "$1.key" -CAcreateserial -days 3650 \
    -extfile "$2.ext" -out "$2.crt" 2>/dev/null
}

ca ca
ca foreign-ca
leaf ca server localhost "DNS:localhost,IP:127.0.0.1" serverAuth
leaf ca client app1-cn "DNS:app1.test" clientAuth
leaf foreign-ca foreign-client app1-cn "DNS:app1.test" clientAuth
touch done
