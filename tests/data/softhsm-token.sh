#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# SoftHSM2 tokens for the PKCS#11 tests, in a private folder (nothing outside DIR is touched).
#
#   softhsm-token.sh pki OUT [BITS]
#       a tiny self-made CA and leaf key pairs, all DER: OUT/ca.der, OUT/NAME.key.der (PKCS#8) and
#       OUT/NAME.der for NAME in auth-a, auth-b (keyUsage digitalSignature), sign-a (nonRepudiation
#       only, same key as auth-a: like a CPS signature certificate), enc-a (keyEncipherment only).
#   softhsm-token.sh token DIR LABEL PIN
#       DIR/softhsm2.conf (created once) + a new token; prints "SOFTHSM2_CONF=…", "serial=…" and
#       "slot_description=…" lines.
#   softhsm-token.sh import DIR LABEL PIN KEY_DER|- CERT_DER|- ID_HEX KEY_LABEL CERT_LABEL
#       imports a private key (CKA_SIGN) and/or a certificate with CKA_ID = ID_HEX into token LABEL.
#       The key and the certificate need not match: that is how the CVE-2025-24032 test is built.
set -euo pipefail

MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
SO_PIN=87654321

die() { echo "softhsm-token.sh: $*" >&2; exit 2; }

cmd=${1:-}; shift || true
case "$cmd" in
pki)
    out=${1:?OUT}; bits=${2:-2048}
    mkdir -p "$out"; cd "$out"
    cat > ext.cnf <<CNF
[x_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[x_auth]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[x_sign]
basicConstraints = critical,CA:FALSE
keyUsage = critical,nonRepudiation
[x_enc]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
CNF
    openssl req -x509 -newkey "rsa:$bits" -nodes -keyout ca.key -out ca.pem -days 30 -sha256 \
        -subj "/C=FR/O=CPSLOCK TEST/CN=CPSLOCK TEST CA" -extensions x_ca -config <(cat /etc/ssl/openssl.cnf ext.cnf) 2>/dev/null
    openssl x509 -in ca.pem -outform DER -out ca.der
    leaf() { # name key ext
        openssl req -new -key "$2.key" -out "$1.csr" -subj "/C=FR/CN=899700123456+SN=TEST+GN=$1" -multivalue-rdn 2>/dev/null
        openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 30 -sha256 \
            -extfile ext.cnf -extensions "x_$3" 2>/dev/null
        openssl x509 -in "$1.pem" -outform DER -out "$1.der"
    }
    for k in a b; do
        openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$k.key" 2>/dev/null
        openssl pkcs8 -topk8 -nocrypt -in "$k.key" -outform DER -out "$k.key.der"
    done
    leaf auth-a a auth; leaf auth-b b auth; leaf sign-a a sign; leaf enc-a a enc
    for n in auth-a sign-a enc-a; do cp a.key.der "$n.key.der"; done
    cp b.key.der auth-b.key.der
    ;;
token)
    dir=${1:?DIR}; label=${2:?LABEL}; pin=${3:?PIN}
    mkdir -p "$dir/tokens"
    if [[ ! -f $dir/softhsm2.conf ]]; then
        cat > "$dir/softhsm2.conf" <<CONF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
    fi
    export SOFTHSM2_CONF=$dir/softhsm2.conf
    softhsm2-util --init-token --free --label "$label" --so-pin "$SO_PIN" --pin "$pin" >/dev/null
    # pkcs11-tool -L prints "Slot N (0x…): DESCRIPTION" then the token's fields.
    pkcs11-tool --module "$MODULE" -L 2>/dev/null | awk -v want="$label" '
        /^Slot / { sub(/^Slot [0-9]+ \([^)]*\): /, ""); desc = $0 }
        /token label/ { sub(/^[^:]*: /, ""); lab = $0 }
        /serial num/ { sub(/^[^:]*: /, ""); if (lab == want) { print "serial=" $0; print "slot_description=" desc; found = 1 } }
        END { exit found ? 0 : 1 }' || die "token $label not found after init"
    echo "SOFTHSM2_CONF=$SOFTHSM2_CONF"
    ;;
import)
    dir=${1:?DIR}; label=${2:?LABEL}; pin=${3:?PIN}; key=${4:?KEY_DER}; cert=${5:?CERT_DER}
    id=${6:?ID_HEX}; keylabel=${7:?KEY_LABEL}; certlabel=${8:?CERT_LABEL}
    export SOFTHSM2_CONF=$dir/softhsm2.conf
    [[ -f $SOFTHSM2_CONF ]] || die "no $SOFTHSM2_CONF: run 'token' first"
    p11=(pkcs11-tool --module "$MODULE" --token-label "$label" --login --pin "$pin")
    if [[ $key != - ]]; then
        "${p11[@]}" --write-object "$key" --type privkey --id "$id" --label "$keylabel" --usage-sign >/dev/null 2>&1 \
            || die "cannot import key $key into $label"
    fi
    if [[ $cert != - ]]; then
        "${p11[@]}" --write-object "$cert" --type cert --id "$id" --label "$certlabel" >/dev/null 2>&1 \
            || die "cannot import certificate $cert into $label"
    fi
    ;;
*)
    die "usage: softhsm-token.sh pki OUT [BITS] | token DIR LABEL PIN | import DIR LABEL PIN KEY CERT ID KEYLABEL CERTLABEL"
    ;;
esac
