#!/usr/bin/env bash
# A partnership certificate authority for caseworkd's mutual TLS, with
# openssl. Keys stay in DIR (mode 600); never commit them.
#
#   deploy/partnership-ca.sh init   DIR                     the CA (10 years)
#   deploy/partnership-ca.sh server DIR NAME HOST...        a server certificate (2 years)
#   deploy/partnership-ca.sh client DIR NAME DNS-NAME       a calling system's certificate (1 year)
#
# init writes DIR/ca.key and DIR/ca.pem. server writes DIR/NAME.key and
# DIR/NAME.pem with every HOST as a subject alternative name (DNS names, or
# IP addresses such as 127.0.0.1). client writes DIR/NAME.key and
# DIR/NAME.pem naming the system by DNS-NAME: map it to its agency in the
# file given to --tls_agencies ("DNS-NAME AGENCY"). Then:
#
#   caseworkd --listen=0.0.0.0:50051 --tls_cert=DIR/server.pem \
#     --tls_key=DIR/server.key --tls_client_ca=DIR/ca.pem --tls_agencies=agencies.txt
#
# Keys are EC P-256; signatures SHA-256.
set -euo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
shift 2
mkdir -p "$dir"
umask 077

new_key() {
  openssl ecparam -name prime256v1 -genkey -noout -out "$1"
}

# sign NAME DAYS EXTENSIONS: a certificate for DIR/NAME.key signed by the CA.
sign() {
  local name=$1 days=$2 extensions=$3
  openssl req -new -key "$dir/$name.key" -subj "/O=Community Safety Partnership/CN=$name" \
    -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days "$days" -sha256 -extfile <(printf '%s\n' "$extensions") \
    -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr"
  chmod 644 "$dir/$name.pem"
}

case $command in
  init)
    [[ ! -e "$dir/ca.key" ]] || { echo "partnership-ca: $dir/ca.key exists" >&2; exit 1; }
    new_key "$dir/ca.key"
    openssl req -new -x509 -key "$dir/ca.key" -days 3650 -sha256 \
      -subj "/O=Community Safety Partnership/CN=Partnership CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$dir/ca.pem"
    chmod 644 "$dir/ca.pem"
    ;;
  server)
    [[ $# -ge 2 ]] || usage
    name=$1
    shift
    sans=()
    for host in "$@"; do
      if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then sans+=("IP:$host"); else sans+=("DNS:$host"); fi
    done
    new_key "$dir/$name.key"
    sign "$name" 730 "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$(IFS=,; echo "${sans[*]}")"
    ;;
  client)
    [[ $# -eq 2 ]] || usage
    name=$1
    new_key "$dir/$name.key"
    sign "$name" 365 "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:$2"
    ;;
  *)
    usage
    ;;
esac
