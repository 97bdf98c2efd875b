#!/usr/bin/env bash
# SPDX-License-Identifier: EUPL-1.2
# Builds an IGC-Santé-like test PKI with the openssl CLI, mirroring the real hierarchy
# (docs/card-identity.md): the FORT branch (root + PERSONNES intermediate: CPS, CPF), the STANDARD
# branch (root + PERSONNES intermediate: CPE, CPA), an ELEMENTAIRE PERSONNES branch issuing a software
# certificate; card authentication certificates with the ANS card-origin extensions (product category
# 80 "CPx de TEST", card type, token id 8025000001/<card serial>), UPN SAN, clientAuth +
# smartcardLogon; a hostile certificate for every rule of the card profile and other RFC 5280
# end-entity violations; CRLs (fresh and stale), PKCS#8 DER keys for SoftHSM tokens, and a manifest.
# All dates are fixed so tests are deterministic: they verify at TEST_NOW (see manifest), not the clock.
#
# Usage: make-test-pki.sh OUTPUT_DIR
#
# Output (all DER unless named .pem):
#   anchors/root.der                 "AC RACINE IGC-SANTE FORT (TEST)" (self-signed, CA extensions as the real one)
#   intermediates/intermediate.{der,pem}  "AC IGC-SANTE FORT PERSONNES (TEST)" (pathlen 0, CRLDP
#                                    http://igc-sante.test.invalid/CRL/ACR-{FO,ST,EL}-TEST.crl per branch)
#   ca/{root,inter,root_st,inter_st,root_el,inter_el}.{pem,key}  the test CAs and their keys (PEM),
#                                    for tests that issue CRLs of their own
#   anchors/root-{standard,elementaire}.der, intermediates/intermediate-{standard,elementaire}.{der,pem}
#                                    the STANDARD and ELEMENTAIRE branches, same shape
#   policy-trust.toml                [trust] lines declaring this test PKI: test_pki, issuers_* and roots
#                                    pinned by the key identifiers of the test CAs (rig.py's PolicyDir)
#   foreign/foreign-{root,intermediate}.der  another hierarchy (untrusted-chain case)
#   rogue-root.der                   self-signed CA with the intermediate's exact name, another key
#   cards/<name>.der, keys/<name>.p8.der  card certificate and its unencrypted PKCS#8 RSA key
#   crl/{fresh,stale,empty,rogue,current}/   CRL folders (current: valid for 30 days from generation)
#                                     (fresh: valid at TEST_NOW; stale: intermediate's
#                                    CRL past nextUpdate; rogue: intermediate's CRL signed by rogue-root)
#   denylist.txt                     deny-list naming the "denylisted" card (serial and sha256)
#   manifest.tsv                     one line per card: name, cert, key, card serial (EF.SN.ICC digits,
#                                    use as token serial), cert sha256, subject (RFC 2253),
#                                    expected outcome at TEST_NOW under policy-trust.toml; '#TEST_NOW',
#                                    '#OIDS' and '#KEYIDS' (SKI of each test CA) lines. The token id
#                                    of each card certificate names the card serial of its line
#                                    (except the hostile ones that test exactly that).
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTPUT_DIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/.work"
rm -rf "$work" "$out"/{anchors,intermediates,foreign,cards,keys,crl,ca}
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
OID_SOFT=2.999.1.9
TYPE_OIDS=("$OID_CPS" "$OID_CPF" "$OID_CPE" "$OID_CPA")

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
crlDistributionPoints  = URI:\$ENV::CDP_URL
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
export OPENSSL_CONF="$work/ca.cnf"
export CADIR="$work"  # overridden per CA; openssl req needs it set too
# Each intermediate names its root's CRL, as the real ones do (ACR-FO.crl...): overridden per branch.
export CDP_URL=http://igc-sante.test.invalid/CRL/ACR-TEST.crl

newca() { # name
    local d="$work/$1"
    mkdir -p "$d/newcerts"
    : > "$d/index.txt"
    echo 1000 > "$d/serial"
    echo 01 > "$d/crlnumber"
}

genkey() { # keyfile [bits]
    openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1" 2>/dev/null
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

# issue CA_NAME NAME SUBJECT EXTENSIONS START END [EXTFILE] [MD] -> $work/NAME.{key,pem}
issue() {
    local ca=$1 name=$2 subj=$3 ext=$4 start=$5 end=$6 extfile=${7:-} md=${8:-sha256}
    [[ -f "$work/$name.key" ]] || genkey "$work/$name.key"
    openssl req -new -utf8 -key "$work/$name.key" -subj "$subj" -out "$work/$name.csr"
    CADIR="$work/$ca" openssl ca -batch -notext -preserveDN -utf8 -cert "$work/$ca.pem" \
        -keyfile "$work/$ca.key" -in "$work/$name.csr" -out "$work/$name.pem" -md "$md" \
        -startdate "$start" -enddate "$end" -extensions "$ext" ${extfile:+-extfile "$extfile"} 2>/dev/null
}

der() { # pem -> der
    openssl x509 -in "$1" -outform DER -out "$2"
}

keyid() { # pem -> SKI, upper-case hex without colons
    openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\n'
}

# --- Certification authorities: the test twins of the real FORT, STANDARD and ELEMENTAIRE
# hierarchies (root + PERSONNES intermediate each), and a foreign one.
selfsigned root "$CA_PREFIX/CN=AC RACINE IGC-SANTE FORT (TEST)"
newca inter
CDP_URL=http://igc-sante.test.invalid/CRL/ACR-FO-TEST.crl \
    issue root inter "$CA_PREFIX/CN=AC IGC-SANTE FORT PERSONNES (TEST)" v3_intermediate "$CA_START" "$CA_END"
selfsigned root_st "$CA_PREFIX/CN=AC RACINE IGC-SANTE STANDARD (TEST)"
newca inter_st
CDP_URL=http://igc-sante.test.invalid/CRL/ACR-ST-TEST.crl \
    issue root_st inter_st "$CA_PREFIX/CN=AC IGC-SANTE STANDARD PERSONNES (TEST)" v3_intermediate "$CA_START" "$CA_END"
selfsigned root_el "$CA_PREFIX/CN=AC RACINE IGC-SANTE ELEMENTAIRE (TEST)"
newca inter_el
CDP_URL=http://igc-sante.test.invalid/CRL/ACR-EL-TEST.crl \
    issue root_el inter_el "$CA_PREFIX/CN=AC IGC-SANTE ELEMENTAIRE PERSONNES (TEST)" v3_intermediate "$CA_START" "$CA_END"
selfsigned foreign_root "/C=FR/O=AUTRE AUTORITE/OU=TEST/CN=AC RACINE ETRANGERE (TEST)"
newca foreign_inter
issue foreign_root foreign_inter "/C=FR/O=AUTRE AUTORITE/OU=TEST/CN=AC ETRANGERE PERSONNES (TEST)" \
    v3_intermediate "$CA_START" "$CA_END"

der "$work/root.pem" "$out/anchors/root.der"
der "$work/inter.pem" "$out/intermediates/intermediate.der"
cp "$work/inter.pem" "$out/intermediates/intermediate.pem"
der "$work/root_st.pem" "$out/anchors/root-standard.der"
der "$work/inter_st.pem" "$out/intermediates/intermediate-standard.der"
cp "$work/inter_st.pem" "$out/intermediates/intermediate-standard.pem"
der "$work/root_el.pem" "$out/anchors/root-elementaire.der"
der "$work/inter_el.pem" "$out/intermediates/intermediate-elementaire.der"
cp "$work/inter_el.pem" "$out/intermediates/intermediate-elementaire.pem"
# The CA keys, for tests that issue their own CRLs (cpslock crl update against a local server).
mkdir -p "$out/ca"
for ca in root inter root_st inter_st root_el inter_el; do
    cp "$work/$ca.pem" "$work/$ca.key" "$out/ca/"
done
der "$work/foreign_root.pem" "$out/foreign/foreign-root.der"
der "$work/foreign_inter.pem" "$out/foreign/foreign-intermediate.der"

SKI_FO_ROOT=$(keyid "$work/root.pem")
SKI_FO=$(keyid "$work/inter.pem")
SKI_ST_ROOT=$(keyid "$work/root_st.pem")
SKI_ST=$(keyid "$work/inter_st.pem")
SKI_EL_ROOT=$(keyid "$work/root_el.pem")
SKI_EL=$(keyid "$work/inter_el.pem")

# The [trust] lines of a policy that declares this test PKI (CPF with the FORT branch, CPA with the
# STANDARD branch, as the facts suggest; real cards must still confirm it).
cat > "$out/policy-trust.toml" <<TOML
test_pki = true
issuers_cps = ["$SKI_FO"]
issuers_cpf = ["$SKI_FO"]
issuers_cpe = ["$SKI_ST"]
issuers_cpa = ["$SKI_ST"]
roots = ["$SKI_FO_ROOT", "$SKI_ST_ROOT"]
TOML

# --- Card certificates, one extension file each. Defaults: the authentication certificate of a
# TEST CPx card as observed (facts §2); each card's overrides change one thing.
# Line: name|issuing CA|subject|notBefore|notAfter|card serial|expected|overrides
# overrides: ';'-separated VAR=value among BC KU EKU POL SAN CAT TYPE TOKEN AKI EXTRA MD BITS KEY
#   (an empty value drops the extension; EXTRA is raw extension lines separated by '~').
DOC="/C=FR/title=Médecin/CN=810002813839+SN=DONNAT-GADY+GN=ISABELLE"
doc() { # idNat surname given -> professional subject
    echo "/C=FR/title=Médecin/CN=$1+SN=$2+GN=$3"
}
STAFF="/C=FR/O=CLINIQUE DES LILAS (TEST)/OU=340012345/CN=3340012345\\/0042"
cards=(
    "valid-cps|inter|$DOC|$CARD_START|$CARD_END|1000000001|ok|"
    "valid-staff|inter_st|$STAFF|$CARD_START|$CARD_END|1000000002|ok|TYPE=2"
    "valid-adeli|inter|/C=FR/title=Infirmière/CN=0751234567+SN=LÉGER-ŒUVRE+GN=HÉLÈNE|$CARD_START|$CARD_END|1000000003|ok|"
    "cpf|inter|$(doc 810100000017 INTERNE PAUL)|$CARD_START|$CARD_END|1000000004|ok|TYPE=1"
    "expired|inter|$(doc 810000000025 ANCIEN JEAN)|20200101000000Z|20230101000000Z|1000000005|expired|"
    "not-yet-valid|inter|$(doc 810000000033 FUTUR ANNE)|20270101000000Z|20300101000000Z|1000000006|not-yet-valid|"
    "revoked|inter|$(doc 810000000041 PERDU LUC)|$CARD_START|$CARD_END|1000000007|revoked|"
    "no-digsig|inter|$(doc 810000000058 CHIFFRE EVE)|$CARD_START|$CARD_END|1000000008|bad-key-usage|KU=critical, keyEncipherment"
    "denylisted|inter|$(doc 810000000066 VOLE MARC)|$CARD_START|$CARD_END|1000000009|denylisted|"
    "foreign|foreign_inter|$DOC|$CARD_START|$CARD_END|1000000010|untrusted-chain|"
    "valid-cpa|inter_st|/C=FR/O=CLINIQUE DES LILAS (TEST)/OU=340012345/CN=3340012345\\/0077|$CARD_START|$CARD_END|1000000011|ok|TYPE=3"
    # --- hostile: one per rule of the card profile (docs/card-identity.md), then RFC 5280 violations.
    "hostile-ca-true|inter|$(doc 810000000108 AUTORITE ALAIN)|$CARD_START|$CARD_END|1000000101|not-end-entity|BC=critical, CA:TRUE;KU=critical, digitalSignature, keyCertSign, cRLSign"
    "hostile-keycertsign|inter|$(doc 810000000116 SIGNECERT BRUNO)|$CARD_START|$CARD_END|1000000102|not-end-entity|KU=critical, digitalSignature, keyCertSign"
    "hostile-crlsign|inter|$(doc 810000000124 SIGNECRL CLAIRE)|$CARD_START|$CARD_END|1000000103|not-end-entity|KU=critical, digitalSignature, cRLSign"
    "hostile-ku-noncritical|inter|$(doc 810000000132 MOU DENIS)|$CARD_START|$CARD_END|1000000104|bad-key-usage|KU=digitalSignature"
    "hostile-nonrepudiation|inter|$(doc 810000000140 NONREP EMMA)|$CARD_START|$CARD_END|1000000105|bad-key-usage|KU=critical, digitalSignature, nonRepudiation"
    "hostile-signature-cert|inter|$(doc 810000000157 SIGNATURE FANNY)|$CARD_START|$CARD_END|1000000106|bad-key-usage|KU=critical, nonRepudiation;EKU=emailProtection;SAN=;EXTRA=privateKeyUsagePeriod = DER:30:22:80:0F:32:30:32:34:30:31:30:31:30:30:30:30:30:30:5A:81:0F:32:30:32:39:30:31:30:31:30:30:30:30:30:30:5A"
    "hostile-no-ku|inter|$(doc 810000000165 SANSUSAGE GILLES)|$CARD_START|$CARD_END|1000000107|bad-key-usage|KU="
    "hostile-eku-email|inter|$(doc 810000000173 COURRIEL HUGO)|$CARD_START|$CARD_END|1000000108|bad-extended-key-usage|EKU=emailProtection"
    "hostile-no-eku|inter|$(doc 810000000181 SANSEKU IRENE)|$CARD_START|$CARD_END|1000000109|bad-extended-key-usage|EKU="
    "hostile-eku-any|inter|$(doc 810000000199 TOUTUSAGE JULES)|$CARD_START|$CARD_END|1000000110|bad-extended-key-usage|EKU=anyExtendedKeyUsage"
    "hostile-eku-client-any|inter|$(doc 810000000207 CLIENTTOUT KARINE)|$CARD_START|$CARD_END|1000000111|bad-extended-key-usage|EKU=clientAuth, anyExtendedKeyUsage"
    "hostile-eku-server|inter|$(doc 810000000215 SERVEUR LEON)|$CARD_START|$CARD_END|1000000112|bad-extended-key-usage|EKU=serverAuth"
    "hostile-software|inter_el|$(doc 899700075064 LOGICIEL MARIE)|$CARD_START|$CARD_END|1000000113|issuer-not-allowed|CAT=83;TYPE=;TOKEN=;POL=$OID_SOFT"
    "hostile-software-fort|inter|$(doc 810000000223 LOGICIELFORT NINA)|$CARD_START|$CARD_END|1000000114|not-card-certificate|CAT=83;TYPE=;TOKEN="
    "hostile-no-category|inter|$(doc 810000000231 SANSCATEGORIE OSCAR)|$CARD_START|$CARD_END|1000000115|not-card-certificate|CAT="
    "hostile-category-ms|inter|$(doc 810000000249 MODULE PAULINE)|$CARD_START|$CARD_END|1000000116|not-card-certificate|CAT=82"
    "hostile-category-encoding|inter|$(doc 810000000470 ENCODAGE OLGA)|$CARD_START|$CARD_END|1000000143|not-card-certificate|CAT=;EXTRA=1.2.250.1.71.1.2.5 = DER:02:01:00"
    "hostile-no-type|inter|$(doc 810000000256 SANSTYPE QUENTIN)|$CARD_START|$CARD_END|1000000117|unknown-card-type|TYPE="
    "hostile-type-unknown|inter|$(doc 810000000264 TYPEINCONNU ROSE)|$CARD_START|$CARD_END|1000000118|unknown-card-type|TYPE=7"
    "hostile-type-subject|inter_st|$(doc 810000000272 TYPEFAUX SIMON)|$CARD_START|$CARD_END|1000000119|unknown-card-type|TYPE=2;POL=$OID_CPE"
    "hostile-no-token|inter|$(doc 810000000280 SANSJETON THEO)|$CARD_START|$CARD_END|1000000120|card-serial-mismatch|TOKEN="
    "hostile-token-malformed|inter|$(doc 810000000298 JETONFAUX URSULE)|$CARD_START|$CARD_END|1000000121|card-serial-mismatch|TOKEN=8025000001/10000ABC21"
    "hostile-token-other-card|inter|$(doc 810000000306 AUTRECARTE VICTOR)|$CARD_START|$CARD_END|1000000122|card-serial-mismatch|TOKEN=8025000001/1000000999"
    "hostile-token-other-issuer|inter|$(doc 810000000314 AUTREEMETTEUR WANDA)|$CARD_START|$CARD_END|1000000123|card-serial-mismatch|TOKEN=9999999999/1000000123"
    "hostile-cps-from-standard|inter_st|$(doc 810000000322 STANDARD XAVIER)|$CARD_START|$CARD_END|1000000124|issuer-card-type-mismatch|"
    "hostile-cpe-from-fort|inter|/C=FR/O=CLINIQUE DES LILAS (TEST)/OU=340012345/CN=3340012345\\/0099|$CARD_START|$CARD_END|1000000125|issuer-card-type-mismatch|TYPE=2"
    "hostile-from-root|root|$(doc 810000000330 RACINE YVES)|$CARD_START|$CARD_END|1000000126|issuer-not-allowed|"
    "hostile-sha1|inter|$(doc 810000000348 ANCIENHASH ZOE)|$CARD_START|$CARD_END|1000000127|weak-crypto|MD=sha1"
    "hostile-rsa1024|inter|$(doc 810000000355 PETITECLE ADAM)|$CARD_START|$CARD_END|1000000128|weak-crypto|BITS=1024"
    "hostile-no-policy|inter|$(doc 810000000363 SANSPOLITIQUE BEA)|$CARD_START|$CARD_END|1000000129|bad-certificate-policy|POL="
    "hostile-any-policy|inter|$(doc 810000000371 TOUTEPOLITIQUE CYRIL)|$CARD_START|$CARD_END|1000000130|bad-certificate-policy|POL=anyPolicy"
    "hostile-legacy-policy|inter|$(doc 810000000389 GIPCPS DIANE)|$CARD_START|$CARD_END|1000000131|bad-certificate-policy|POL=1.2.250.1.71.3.7.9.1.1.1.1"
    "hostile-bad-idnat|inter|/C=FR/title=Médecin/CN=81000000ABCD+SN=FAUXID+GN=ETIENNE|$CARD_START|$CARD_END|1000000132|bad-subject|SAN="
    "hostile-no-country|inter|/title=Médecin/CN=810000000397+SN=SANSPAYS+GN=FLORE|$CARD_START|$CARD_END|1000000133|bad-subject|"
    "hostile-country-de|inter|/C=DE/title=Arzt/CN=810000000405+SN=ETRANGER+GN=GUSTAV|$CARD_START|$CARD_END|1000000134|bad-subject|"
    "hostile-upn-other|inter|$(doc 810000000413 UPNFAUX HELENE)|$CARD_START|$CARD_END|1000000135|bad-subject|SAN=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:810002813839@carte-cps.fr"
    "hostile-no-surname|inter|/C=FR/title=Médecin/CN=810000000421+GN=IRIS|$CARD_START|$CARD_END|1000000136|bad-subject|"
    "hostile-unknown-critical|inter|$(doc 810000000439 CRITIQUE JACQUES)|$CARD_START|$CARD_END|1000000137|malformed-certificate|EXTRA=1.2.3.4 = critical,DER:05:00"
    "hostile-no-aki|inter|$(doc 810000000447 SANSAKI KEVIN)|$CARD_START|$CARD_END|1000000138|malformed-certificate|AKI=none"
    "hostile-ee-pathlen|inter|$(doc 810000000454 LONGUEUR LAURA)|$CARD_START|$CARD_END|1000000139|malformed-certificate|BC=critical, CA:FALSE, pathlen:0"
)

manifest="$out/manifest.tsv"
{
    echo "# name	cert_der	key_pkcs8_der	card_serial	cert_sha256	subject	expected_at_TEST_NOW"
    echo "#TEST_NOW	$TEST_NOW"
    echo "#OIDS	cps=$OID_CPS cpf=$OID_CPF cpe=$OID_CPE cpa=$OID_CPA"
    echo "#KEYIDS	fort-root=$SKI_FO_ROOT fort=$SKI_FO standard-root=$SKI_ST_ROOT standard=$SKI_ST elementaire-root=$SKI_EL_ROOT elementaire=$SKI_EL"
} > "$manifest"

# One key for most hostile certificates: they differ by their certificate, and keygen is slow.
genkey "$work/hostile-shared.key"

# cardext FILE SERIAL SUBJECT OVERRIDES: the extension file of one card certificate.
cardext() {
    local file=$1 serial=$2 subj=$3 overrides=$4
    local cn=${subj#*CN=}
    cn=${cn%%+*}
    cn=${cn//\\\//\/}
    local -A v=(
        [BC]="CA:FALSE"
        [KU]="critical, digitalSignature"
        [EKU]="clientAuth, 1.3.6.1.4.1.311.20.2.2"
        [POL]=""
        [SAN]="otherName:1.3.6.1.4.1.311.20.2.3;UTF8:$cn@carte-cps.fr"
        [CAT]="80"
        [TYPE]="0"
        [TOKEN]="8025000001/$serial"
        [AKI]="keyid:always"
        [EXTRA]=""
    )
    local set_pol=0
    local IFS=';'
    local item
    # SAN values hold ';' (otherName:OID;UTF8:...): an override 'SAN=' takes the rest of the line.
    if [[ $overrides == *"SAN=otherName"* ]]; then
        v[SAN]=${overrides#*SAN=}
        overrides=${overrides%%SAN=otherName*}
    fi
    for item in $overrides; do
        [[ -z $item ]] && continue
        v[${item%%=*}]=${item#*=}
        [[ ${item%%=*} == POL ]] && set_pol=1
    done
    unset IFS
    if [[ $set_pol == 0 ]]; then
        v[POL]=${TYPE_OIDS[${v[TYPE]:-0}]:-$OID_CPS}
    fi
    {
        echo "[ card ]"
        [[ -n ${v[BC]} ]] && echo "basicConstraints = ${v[BC]}"
        [[ -n ${v[KU]} ]] && echo "keyUsage = ${v[KU]}"
        [[ -n ${v[EKU]} ]] && echo "extendedKeyUsage = ${v[EKU]}"
        [[ -n ${v[POL]} ]] && echo "certificatePolicies = ${v[POL]}"
        [[ -n ${v[SAN]} ]] && echo "subjectAltName = ${v[SAN]}"
        echo "crlDistributionPoints = URI:http://igc-sante.test.invalid/CRL/ACI-PP-TEST.crl"
        echo "subjectKeyIdentifier = hash"
        [[ -n ${v[AKI]} ]] && echo "authorityKeyIdentifier = ${v[AKI]}"
        [[ -n ${v[CAT]} ]] && echo "1.2.250.1.71.1.2.5 = DER:04:01:${v[CAT]}"
        [[ -n ${v[TYPE]} ]] && echo "1.2.250.1.71.1.2.2 = ASN1:INTEGER:${v[TYPE]}"
        [[ -n ${v[TOKEN]} ]] && echo "1.2.250.1.71.1.2.3 = ASN1:PRINTABLESTRING:${v[TOKEN]}"
        [[ -n ${v[EXTRA]} ]] && echo "${v[EXTRA]//\~/$'\n'}"
    } > "$file"
    # What issue() needs besides the file.
    CARD_MD=${v[MD]:-sha256}
    CARD_BITS=${v[BITS]:-2048}
}

add_manifest() { # name serial expected
    local name=$1 serial=$2 expected=$3 sha subject
    sha=$(openssl dgst -sha256 -r "$out/cards/$name.der" | cut -d' ' -f1)
    subject=$(openssl x509 -inform DER -in "$out/cards/$name.der" -noout -subject -nameopt RFC2253,-esc_msb |
        sed 's/^subject=//')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "cards/$name.der" "keys/$name.p8.der" "$serial" "$sha" \
        "$subject" "$expected" >> "$manifest"
}

for line in "${cards[@]}"; do
    IFS='|' read -r name ca subj start end serial expected overrides <<< "$line"
    cardext "$work/ext-$name.cnf" "$serial" "$subj" "$overrides"
    if [[ $CARD_BITS != 2048 ]]; then
        genkey "$work/card-$name.key" "$CARD_BITS"
    elif [[ $name == hostile-* ]]; then
        cp "$work/hostile-shared.key" "$work/card-$name.key"
    fi
    issue "$ca" "card-$name" "$subj" card "$start" "$end" "$work/ext-$name.cnf" "$CARD_MD"
    der "$work/card-$name.pem" "$out/cards/$name.der"
    openssl pkcs8 -topk8 -nocrypt -in "$work/card-$name.key" -outform DER -out "$out/keys/$name.p8.der"
    add_manifest "$name" "$serial" "$expected"
done

# --- RFC 5280 violations openssl ca will not write: made with openssl x509 -req (dates from
# today: the structure check refuses them before any date is looked at) or by editing the DER.
# The signature then no longer matches, which is fine: the structure is judged first.
x509cert() { # name serial-flag(-set_serial N) extfile|'' out
    local name=$1 setserial=$2 extfile=$3
    cp "$work/hostile-shared.key" "$work/card-$name.key"
    openssl req -new -utf8 -key "$work/card-$name.key" -subj "$(doc 810000000462 BRUT MARC)" -out "$work/$name.csr"
    openssl x509 -req -in "$work/$name.csr" -CA "$work/inter.pem" -CAkey "$work/inter.key" -set_serial "$setserial" \
        -days 3650 -sha256 ${extfile:+-extfile "$extfile" -extensions card} -out "$work/card-$name.pem" 2>/dev/null
    der "$work/card-$name.pem" "$out/cards/$name.der"
    openssl pkcs8 -topk8 -nocrypt -in "$work/card-$name.key" -outform DER -out "$out/keys/$name.p8.der"
}
cardext "$work/ext-raw.cnf" 1000000140 "$(doc 810000000462 BRUT MARC)" ""
x509cert hostile-serial-zero 0 "$work/ext-raw.cnf"
add_manifest hostile-serial-zero 1000000140 malformed-certificate
cardext "$work/ext-raw.cnf" 1000000141 "$(doc 810000000462 BRUT MARC)" ""
x509cert hostile-serial-negative -5 "$work/ext-raw.cnf"
add_manifest hostile-serial-negative 1000000141 malformed-certificate
x509cert hostile-v1 4242 ""
add_manifest hostile-v1 1000000142 malformed-certificate

# DER edits: a certificate whose certificatePolicies extension appears twice, and one whose outer
# signature algorithm (sha1WithRSA) differs from the signed one (sha256WithRSA).
python3 - "$out/cards/valid-adeli.der" "$out/cards" <<'PY'
import sys

def tlv(data, i):
    """(tag, header length, content length) of the TLV at i."""
    tag = data[i]
    first = data[i + 1]
    if first < 0x80:
        return tag, 2, first
    n = first & 0x7F
    return tag, 2 + n, int.from_bytes(data[i + 2:i + 2 + n], "big")

def enc(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([tag, n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([tag, 0x80 | len(b)]) + b
    return head + content

def children(data, start, end):
    out, i = [], start
    while i < end:
        _, h, n = tlv(data, i)
        out.append(data[i:i + h + n])
        i += h + n
    return out

src, folder = sys.argv[1], sys.argv[2]
cert = open(src, "rb").read()
_, h, n = tlv(cert, 0)
tbs, sigalg, sig = children(cert, h, h + n)
_, th, tn = tlv(tbs, 0)
fields = children(tbs, th, th + tn)
ext_wrapper = fields[-1]                      # [3] { SEQUENCE OF Extension }
_, wh, wn = tlv(ext_wrapper, 0)
_, sh, sn = tlv(ext_wrapper, wh)
exts = children(ext_wrapper, wh + sh, wh + sh + sn)
policies = [e for e in exts if bytes.fromhex("0603551d20") in e[:8]]
dup = exts + policies[:1]
new_wrapper = enc(0xA3, enc(0x30, b"".join(dup)))
new_tbs = enc(0x30, b"".join(fields[:-1]) + new_wrapper)
open(folder + "/hostile-duplicate-extension.der", "wb").write(enc(0x30, new_tbs + sigalg + sig))
sha256 = bytes.fromhex("2a864886f70d01010b")
sha1 = bytes.fromhex("2a864886f70d010105")
assert sha256 in sigalg
open(folder + "/hostile-sigalg-mismatch.der", "wb").write(enc(0x30, tbs + sigalg.replace(sha256, sha1) + sig))
PY
cp "$out/keys/valid-adeli.p8.der" "$out/keys/hostile-duplicate-extension.p8.der"
cp "$out/keys/valid-adeli.p8.der" "$out/keys/hostile-sigalg-mismatch.p8.der"
add_manifest hostile-duplicate-extension 1000000003 malformed-certificate
add_manifest hostile-sigalg-mismatch 1000000003 malformed-certificate

# --- CRLs. The FORT intermediate revokes the "revoked" card; the roots' CRLs (for the
# intermediates) are empty. Each branch has its CRLs in every folder, so only the FORT ones vary.
CADIR="$work/inter" openssl ca -cert "$work/inter.pem" -keyfile "$work/inter.key" -revoke "$work/card-revoked.pem" \
    -crl_reason keyCompromise 2>/dev/null
# openssl ca stamps the revocation with the wall clock; pin it before TEST_NOW for deterministic CRLs.
sed -i -E 's/^(R\t[0-9]+Z\t)[0-9]+Z/\1260515000000Z/' "$work/inter/index.txt"
gencrl() { # ca last next out
    CADIR="$work/$1" openssl ca -gencrl -cert "$work/$1.pem" -keyfile "$work/$1.key" \
        -crl_lastupdate "$2" -crl_nextupdate "$3" -out "$work/crl.pem" 2>/dev/null
    openssl crl -in "$work/crl.pem" -outform DER -out "$4"
}
other_branches() { # folder last next: CRLs of the STANDARD and ELEMENTAIRE branches
    gencrl root_st "$2" "$3" "$1/root-standard.crl"
    gencrl inter_st "$2" "$3" "$1/intermediate-standard.crl"
    gencrl root_el "$2" "$3" "$1/root-elementaire.crl"
    gencrl inter_el "$2" "$3" "$1/intermediate-elementaire.crl"
}
gencrl root 20260530000000Z 20260629000000Z "$out/crl/fresh/root.crl"
gencrl inter 20260530000000Z 20260606000000Z "$out/crl/fresh/intermediate.crl"
other_branches "$out/crl/fresh" 20260530000000Z 20260606000000Z
cp "$out/crl/fresh/root.crl" "$out/crl/stale/root.crl"
gencrl inter 20260401000000Z 20260408000000Z "$out/crl/stale/intermediate.crl"
cp "$out"/crl/fresh/*-{standard,elementaire}.crl "$out/crl/stale/"
# CRLs valid around the real date, for end-to-end tests of programs that read the system clock
# (cpslock verify, the PAM helper): lastUpdate now, nextUpdate in 30 days.
mkdir -p "$out/crl/current"
now=$(date -u +%Y%m%d%H%M%SZ)
later=$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)
gencrl root "$now" "$later" "$out/crl/current/root.crl"
gencrl inter "$now" "$later" "$out/crl/current/intermediate.crl"
other_branches "$out/crl/current" "$now" "$later"
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
