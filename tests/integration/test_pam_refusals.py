# SPDX-License-Identifier: EUPL-1.2
"""PAM end to end (pam_cpslock.so through libpam, pam_wrapper + pamtester, the real card path on the
rig) for every refusal reason test_pam_rig.py has no case for: each asserts PAM_AUTH_ERR and the
French message the person at the screen reads.

The fixtures are test_pam_rig.PamRigTest's own (inherited, not copied): when that fixture moves to
the daemon (cpslockd), these tests follow it unchanged. Only the tests defined here run from this
module (load_tests below), not PamRigTest's."""
import unittest

from test_pam import AUTH_ERR, PIN
from test_pam_rig import PamRigTest


class PamRefusalsTest(PamRigTest):
    def refused(self, message, **service):
        r = self.service(**service).run()
        self.assert_refused(r, AUTH_ERR, message)
        return r

    # -- reasons of the card path before issue 11 that had no PAM case --

    def test_not_yet_valid(self):
        self.piv_card("not-yet-valid")
        self.refused("Votre carte CPS n'est pas encore valide")

    def test_crl_stale(self):
        self.piv_card("valid-cps")
        self.policy.write(self.mapping(), crl_dir="empty")
        self.refused("la liste de révocation du poste n'est pas à jour")

    def test_key_mismatch(self):
        # A genuine certificate on a card whose key is another card's (pam_pkcs11 CVE-2025-24032).
        self.rig.insert_default_cps("valid-cps", 0, PIN, "valid-adeli")
        self.refused("La carte n'a pas pu prouver son identité")

    def test_bad_key_usage(self):
        self.piv_card("no-digsig")
        self.refused("Le certificat de cette carte ne permet pas l'authentification")

    def test_card_type_not_allowed(self):
        self.piv_card("valid-staff")  # a CPE where the default policy allows CPS only
        self.refused("Ce type de carte n'est pas autorisé sur ce poste")

    def test_several_cards(self):
        self.piv_card("valid-cps", slot=0)
        self.piv_card("valid-adeli", slot=1)
        r = self.refused("Plusieurs cartes CPS sont insérées")
        self.assertNotIn("Code porteur CPS", r.err, "no PIN is asked when the card is ambiguous")

    # -- the reasons of the IGC-Santé card profile (issue 11) --

    def test_not_end_entity(self):
        self.piv_card("hostile-ca-true")
        self.refused("celui d'une autorité de certification, pas celui d'une personne")

    def test_bad_extended_key_usage(self):
        self.piv_card("hostile-eku-email")
        self.refused("n'est pas prévu pour la connexion à un poste")

    def test_not_card_certificate(self):
        self.piv_card("hostile-software-fort")
        self.refused("Ce certificat n'est pas celui d'une carte CPS (certificat logiciel ?)")

    def test_unknown_card_type(self):
        self.piv_card("hostile-no-type")
        self.refused("Le type de cette carte (CPS, CPF, CPE, CPA) n'a pas pu être établi")

    def test_card_serial_mismatch(self):
        self.piv_card("hostile-token-other-card")
        self.refused("Le certificat lu n'appartient pas à la carte insérée")

    def test_issuer_not_allowed(self):
        # An IGC-Santé software certificate (ELEMENTAIRE PERSONNES) loaded on a programmable card.
        self.piv_card("hostile-software")
        self.refused("n'a pas été émise par une autorité IGC-Santé qui délivre les cartes CPS")

    def test_issuer_card_type_mismatch(self):
        self.piv_card("hostile-cps-from-standard")
        self.refused("Le type de cette carte ne correspond pas à l'autorité qui l'a émise")

    def test_weak_crypto(self):
        self.piv_card("hostile-sha1")
        self.refused("cryptographie trop ancienne")

    def test_bad_certificate_policy(self):
        self.piv_card("hostile-no-policy")
        self.refused("ne relève pas d'une politique de certification acceptée")

    def test_bad_subject(self):
        self.piv_card("hostile-bad-idnat")
        self.refused("L'identité inscrite sur cette carte est illisible ou incomplète")

    def test_malformed_certificate(self):
        self.piv_card("hostile-unknown-critical")
        self.refused("Le certificat de cette carte est mal formé")


def load_tests(loader, standard_tests, pattern):
    """Only this module's tests: PamRigTest's own run from test_pam_rig."""
    suite = unittest.TestSuite()
    for name in sorted(vars(PamRefusalsTest)):
        if name.startswith("test_"):
            suite.addTest(PamRefusalsTest(name))
    return suite


if __name__ == "__main__":
    unittest.main()
