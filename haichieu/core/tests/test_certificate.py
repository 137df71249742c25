"""`haichieu selfsigned_certificate` (issue 14): nginx's certificate made at first start, a provided
one kept."""

import stat

from cryptography import x509
from django.core.management import call_command


def test_it_makes_a_certificate_for_the_host_once(tmp_path):
    directory = tmp_path / "certs"
    call_command("selfsigned_certificate", "--dir", str(directory), "--host", "haichieu.tinhuy.local")
    certificate = x509.load_pem_x509_certificate((directory / "haichieu.crt").read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "haichieu.tinhuy.local" in names.get_values_for_type(x509.DNSName)
    assert stat.S_IMODE((directory / "haichieu.key").stat().st_mode) == 0o600
    before = (directory / "haichieu.crt").read_bytes()
    call_command("selfsigned_certificate", "--dir", str(directory), "--host", "other")
    assert (directory / "haichieu.crt").read_bytes() == before


def test_a_provided_certificate_is_left_as_it_is(tmp_path):
    (tmp_path / "haichieu.crt").write_text("provided")
    (tmp_path / "haichieu.key").write_text("provided key")
    call_command("selfsigned_certificate", "--dir", str(tmp_path), "--host", "10.0.0.5")
    assert (tmp_path / "haichieu.crt").read_text() == "provided"
