"""`haichieu selfsigned_certificate --dir DIR --host NAME`: a self-signed TLS certificate for nginx
(haichieu.crt, haichieu.key) when the folder holds none; a certificate already there (provided by the
deployment, or made at an earlier start) is left as it is (deploy/compose.yml, docs/deploy.md)."""

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management.base import BaseCommand

CERT_NAME = "haichieu.crt"
KEY_NAME = "haichieu.key"


def _names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    try:
        names.insert(0, x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        if host != "localhost":
            names.insert(0, x509.DNSName(host))
    return names


def certificate_make(*, directory: Path, host: str, days: int = 3650) -> bool:
    """Write a self-signed certificate and its key into `directory` unless a certificate is there;
    returns whether one was made."""
    cert_path, key_path = directory / CERT_NAME, directory / KEY_NAME
    if cert_path.exists() and key_path.exists():
        return False
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(_names(host)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as target:
        target.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return True


class Command(BaseCommand):
    help = "Tạo chứng chỉ TLS tự ký cho nginx nếu thư mục chưa có chứng chỉ."

    def add_arguments(self, parser):
        parser.add_argument("--dir", required=True)
        parser.add_argument("--host", default="localhost")
        parser.add_argument("--days", type=int, default=3650)

    def handle(self, *args, **options):
        directory = Path(options["dir"])
        if certificate_make(directory=directory, host=options["host"], days=options["days"]):
            self.stdout.write(f"Đã tạo chứng chỉ tự ký cho “{options['host']}” trong {directory}.")
        else:
            self.stdout.write(f"Đã có chứng chỉ trong {directory}: giữ nguyên.")
