"""X.509 certificates read from the files a deployment names (PEM with one or more, or one DER)."""

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509


def certificates_load(data: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate in PEM text (other PEM blocks are skipped), or the one DER certificate.

    Raises ValueError when the bytes are neither.
    """
    if not pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [
        asn1_x509.Certificate.load(der)
        for type_name, _headers, der in pem.unarmor(data, multiple=True)
        if type_name == "CERTIFICATE"
    ]


def certificate_pem(certificate: asn1_x509.Certificate) -> str:
    return pem.armor("CERTIFICATE", certificate.dump()).decode("ascii")
