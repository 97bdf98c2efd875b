#!/usr/bin/env bash
# Builds an IGC-Santé-like test PKI with the openssl CLI: same DN shape and CA extensions as the real
# "AC RACINE IGC-SANTE FORT" / "AC IGC-SANTE FORT PERSONNES", card certificates for every trust case,
# CRLs (fresh and stale), PKCS#8 DER keys for SoftHSM tokens, and a manifest.
# All dates are fixed so tests are deterministic: they verify at TEST_NOW (see manifest), not the clock.
#
# Usage: make-test-pki.sh OUTPUT_DIR
#
# Output (all DER unless named .pem):
#   anchors/root.der                 "AC RACINE IGC-SANTE FORT (TEST)" (self-signed, CA extensions as the real one)
#   intermediates/intermediate.{der,pem}  "AC IGC-SANTE FORT PERSONNES (TEST)" (pathlen 0, CRLDP)
#   foreign/foreign-{root,intermediate}.der  another hierarchy (untrusted-chain case)
#   rogue-root.der                   self-signed CA with the intermediate's exact name, another key
#   cards/<name>.der, keys/<name>.p8.der  card certificate and its unencrypted PKCS#8 RSA key
#   crl/{fresh,stale,empty,rogue,current}/   CRL folders (current: valid for 30 days from generation)
#                                     (fresh: valid at TEST_NOW; stale: intermediate's
#                                    CRL past nextUpdate; rogue: intermediate's CRL signed by rogue-root)
#   denylist.txt                     deny-list naming the "denylisted" card (serial and sha256)
#   manifest.tsv                     one line per card: name, cert, key, card serial (EF.SN.ICC digits,
#                                    use as token serial), cert sha256, subject (RFC 2253),
#                                    expected trust outcome at TEST_NOW; '#TEST_NOW' and '#OIDS' lines
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTPUT_DIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/.work"
rm -rf "$work" "$out"/{anchors,intermediates,foreign,cards,keys,crl}
mkdir -p "$work" "$out"/{anchors,intermediates,foreign,cards,keys} "$out"/crl/{fresh,stale,empty,rogue}

# Verification instant used by the tests, and the dates around it.
TEST_NOW=20260601T000000Z
CA_START=20200101000000Z
CA_END=20400101000000Z
CARD_START=20240101000000Z
CARD_END=20290101000000Z

# Card certificate policy OIDs: under 2.999 (the "example" arc of X.660), never a real IGC-Santé OID.
OID_CPS=2.999.1.1
OID_CPF=2.999.1.2
OID_CPE=2.999.1.3
OID_CPA=2.999.1.4

CA_PREFIX="/C=FR/O=ASIP-SANTE/OU=0002 187512751/OU=IGC-SANTE"

# One openssl ca configuration; each CA gets its own database directory ($ENV::CADIR).
cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir              = \$ENV::CADIR
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
default_md       = sha256
policy           = policy_any
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
default_crl_days = 30
[ policy_any ]
countryName            = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = optional
surname                = optional
givenName              = optional
title                  = optional
[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
[ req_dn ]
[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
certificatePolicies    = @root_policy
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ root_policy ]
policyIdentifier = anyPolicy
CPS.1            = http://igc-sante.test.invalid/PC
[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
certificatePolicies    = @root_policy
crlDistributionPoints  = URI:http://igc-sante.test.invalid/CRL/ACR-FO.crl
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_card_cps ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
certificatePolicies    = $OID_CPS
crlDistributionPoints  = URI:http://igc-sante.test.invalid/CRL/ACI-FO-PP.crl
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_card_cpf ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
certificatePolicies    = $OID_CPF
crlDistributionPoints  = URI:http://igc-sante.test.invalid/CRL/ACI-FO-PP.crl
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_card_cpe ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
certificatePolicies    = $OID_CPE
crlDistributionPoints  = URI:http://igc-sante.test.invalid/CRL/ACI-FO-PP.crl
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_card_nodigsig ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, keyEncipherment
certificatePolicies    = $OID_CPS
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
export OPENSSL_CONF="$work/ca.cnf"
export CADIR="$work"  # overridden per CA; openssl req needs it set too

newca() { # name
    local d="$work/$1"
    mkdir -p "$d/newcerts"
    : > "$d/index.txt"
    echo 1000 > "$d/serial"
    echo 01 > "$d/crlnumber"
}

genkey() { # keyfile
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
}

# selfsigned NAME SUBJECT -> $work/NAME.{key,pem}
selfsigned() {
    newca "$1"
    genkey "$work/$1.key"
    openssl req -new -utf8 -key "$work/$1.key" -subj "$2" -out "$work/$1.csr"
    CADIR="$work/$1" openssl ca -batch -notext -selfsign -preserveDN -utf8 -keyfile "$work/$1.key" \
        -in "$work/$1.csr" -out "$work/$1.pem" -startdate "$CA_START" -enddate "$CA_END" \
        -extensions v3_root 2>/dev/null
}

# issue CA_NAME NAME SUBJECT EXTENSIONS START END [KEYFILE] -> $work/NAME.{key,pem}
issue() {
    local ca=$1 name=$2 subj=$3 ext=$4 start=$5 end=$6
    [[ -f "$work/$name.key" ]] || genkey "$work/$name.key"
    openssl req -new -utf8 -key "$work/$name.key" -subj "$subj" -out "$work/$name.csr"
    CADIR="$work/$ca" openssl ca -batch -notext -preserveDN -utf8 -cert "$work/$ca.pem" \
        -keyfile "$work/$ca.key" -in "$work/$name.csr" -out "$work/$name.pem" \
        -startdate "$start" -enddate "$end" -extensions "$ext" 2>/dev/null
}

der() { # pem -> der
    openssl x509 -in "$1" -outform DER -out "$2"
}

# --- Certification authorities (the test twins of the real FORT hierarchy, and a foreign one).
selfsigned root "$CA_PREFIX/CN=AC RACINE IGC-SANTE FORT (TEST)"
newca inter
issue root inter "$CA_PREFIX/CN=AC IGC-SANTE FORT PERSONNES (TEST)" v3_intermediate "$CA_START" "$CA_END"
selfsigned foreign_root "/C=FR/O=AUTRE AUTORITE/OU=TEST/CN=AC RACINE ETRANGERE (TEST)"
newca foreign_inter
issue foreign_root foreign_inter "/C=FR/O=AUTRE AUTORITE/OU=TEST/CN=AC ETRANGERE PERSONNES (TEST)" \
    v3_intermediate "$CA_START" "$CA_END"

der "$work/root.pem" "$out/anchors/root.der"
der "$work/inter.pem" "$out/intermediates/intermediate.der"
cp "$work/inter.pem" "$out/intermediates/intermediate.pem"
der "$work/foreign_root.pem" "$out/foreign/foreign-root.der"
der "$work/foreign_inter.pem" "$out/foreign/foreign-intermediate.der"

# --- Card certificates. Each line: name|issuing CA|subject|extensions|notBefore|notAfter|card serial|expected
# Subjects in openssl's /-form (first RDN first), i.e. the reverse of the RFC 4514 form in the facts.
DOC="/C=FR/title=Médecin/CN=810002813839+SN=DONNAT-GADY+GN=ISABELLE"
cards=(
    "valid-cps|inter|$DOC|v3_card_cps|$CARD_START|$CARD_END|1000000001|ok"
    "valid-staff|inter|/C=FR/O=CLINIQUE DES LILAS (TEST)/OU=340012345/CN=3340012345\\/0042|v3_card_cpe|$CARD_START|$CARD_END|1000000002|ok"
    "valid-adeli|inter|/C=FR/title=Infirmière/CN=0751234567+SN=LÉGER-ŒUVRE+GN=HÉLÈNE|v3_card_cps|$CARD_START|$CARD_END|1000000003|ok"
    "cpf|inter|/C=FR/title=Médecin/CN=810100000017+SN=INTERNE+GN=PAUL|v3_card_cpf|$CARD_START|$CARD_END|1000000004|ok"
    "expired|inter|/C=FR/title=Médecin/CN=810000000025+SN=ANCIEN+GN=JEAN|v3_card_cps|20200101000000Z|20230101000000Z|1000000005|expired"
    "not-yet-valid|inter|/C=FR/title=Médecin/CN=810000000033+SN=FUTUR+GN=ANNE|v3_card_cps|20270101000000Z|20300101000000Z|1000000006|not-yet-valid"
    "revoked|inter|/C=FR/title=Médecin/CN=810000000041+SN=PERDU+GN=LUC|v3_card_cps|$CARD_START|$CARD_END|1000000007|revoked"
    "no-digsig|inter|/C=FR/title=Médecin/CN=810000000058+SN=CHIFFRE+GN=EVE|v3_card_nodigsig|$CARD_START|$CARD_END|1000000008|bad-key-usage"
    "denylisted|inter|/C=FR/title=Médecin/CN=810000000066+SN=VOLE+GN=MARC|v3_card_cps|$CARD_START|$CARD_END|1000000009|denylisted"
    "foreign|foreign_inter|/C=FR/title=Médecin/CN=810002813839+SN=DONNAT-GADY+GN=ISABELLE|v3_card_cps|$CARD_START|$CARD_END|1000000010|untrusted-chain"
)

manifest="$out/manifest.tsv"
{
    echo "# name	cert_der	key_pkcs8_der	card_serial	cert_sha256	subject	expected_at_TEST_NOW"
    echo "#TEST_NOW	$TEST_NOW"
    echo "#OIDS	cps=$OID_CPS cpf=$OID_CPF cpe=$OID_CPE cpa=$OID_CPA"
} > "$manifest"

for line in "${cards[@]}"; do
    IFS='|' read -r name ca subj ext start end serial expected <<< "$line"
    issue "$ca" "card-$name" "$subj" "$ext" "$start" "$end"
    der "$work/card-$name.pem" "$out/cards/$name.der"
    openssl pkcs8 -topk8 -nocrypt -in "$work/card-$name.key" -outform DER -out "$out/keys/$name.p8.der"
    sha=$(openssl dgst -sha256 -r "$out/cards/$name.der" | cut -d' ' -f1)
    subject=$(openssl x509 -in "$work/card-$name.pem" -noout -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "cards/$name.der" "keys/$name.p8.der" "$serial" "$sha" \
        "$subject" "$expected" >> "$manifest"
done

# --- CRLs. The intermediate revokes the "revoked" card; the root's CRL (for the intermediate) is empty.
CADIR="$work/inter" openssl ca -cert "$work/inter.pem" -keyfile "$work/inter.key" -revoke "$work/card-revoked.pem" \
    -crl_reason keyCompromise 2>/dev/null
# openssl ca stamps the revocation with the wall clock; pin it before TEST_NOW for deterministic CRLs.
sed -i -E 's/^(R\t[0-9]+Z\t)[0-9]+Z/\1260515000000Z/' "$work/inter/index.txt"
gencrl() { # ca last next out
    CADIR="$work/$1" openssl ca -gencrl -cert "$work/$1.pem" -keyfile "$work/$1.key" \
        -crl_lastupdate "$2" -crl_nextupdate "$3" -out "$work/crl.pem" 2>/dev/null
    openssl crl -in "$work/crl.pem" -outform DER -out "$4"
}
gencrl root 20260530000000Z 20260629000000Z "$out/crl/fresh/root.crl"
gencrl inter 20260530000000Z 20260606000000Z "$out/crl/fresh/intermediate.crl"
cp "$out/crl/fresh/root.crl" "$out/crl/stale/root.crl"
gencrl inter 20260401000000Z 20260408000000Z "$out/crl/stale/intermediate.crl"
# CRLs valid around the real date, for end-to-end tests of programs that read the system clock
# (cpslock verify, the PAM helper): lastUpdate now, nextUpdate in 30 days.
mkdir -p "$out/crl/current"
now=$(date -u +%Y%m%d%H%M%SZ)
later=$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)
gencrl root "$now" "$later" "$out/crl/current/root.crl"
gencrl inter "$now" "$later" "$out/crl/current/intermediate.crl"
# The foreign intermediate's CRL sits in the fresh folder too: it must never be used for our chain.
gencrl foreign_inter 20260530000000Z 20260606000000Z "$out/crl/fresh/foreign.crl"

# A rogue CA reusing the intermediate's exact name with another key: its CRL must never count.
selfsigned rogue "$CA_PREFIX/CN=AC IGC-SANTE FORT PERSONNES (TEST)"
mkdir -p "$out/crl/rogue"
gencrl rogue 20260530000000Z 20260606000000Z "$out/crl/rogue/intermediate.crl"
der "$work/rogue.pem" "$out/rogue-root.der"
cp "$out/crl/fresh/root.crl" "$out/crl/rogue/root.crl"

# Deny-list naming the "denylisted" card by serial and by certificate hash.
deny_sha=$(openssl dgst -sha256 -r "$out/cards/denylisted.der" | cut -d' ' -f1)
{
    echo "# test deny-list (generated)"
    echo "serial:1000000009 2026-05-01 carte volée"
    echo "sha256:$deny_sha"
} > "$out/denylist.txt"

rm -rf "$work"
echo "test PKI written to $out"
