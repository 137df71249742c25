"""Load Vietnam's administrative units (34 provinces, 3,321 communes since 07/2025).

The units come from the maintained `vietnam-provinces` package. Idempotent: run it again after
upgrading the package and changed names are updated, nothing is duplicated.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from vietnam_provinces import Province as VNProvince
from vietnam_provinces import Ward as VNWard

from haichieu.core.text import fold, vn_place_key
from haichieu.organizations.models import Commune, Province


def _code(value, width: int) -> str:
    """The official code with its leading zeros: provinces have 2 digits ("01"), communes 5 ("00070")."""
    return str(getattr(value, "value", value)).zfill(width)


def _type(value) -> str:
    return getattr(value, "value", str(value))


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính (tỉnh/thành phố, xã/phường/đặc khu) từ gói vietnam-provinces."

    def handle(self, *args, **options):
        provinces = [
            Province(
                code=_code(p.code, 2),
                name=p.name,
                division_type=_type(p.division_type),
                name_folded=fold(p.name),
                sort_key=vn_place_key(p.name),
            )
            for p in VNProvince.iter_all()
        ]
        communes = [
            Commune(
                code=_code(w.code, 5),
                name=w.name,
                division_type=_type(w.division_type),
                name_folded=fold(w.name),
                sort_key=vn_place_key(w.name),
                province_id=_code(w.province_code, 2),
            )
            for w in VNWard.iter_all()
        ]
        with transaction.atomic():
            Province.objects.bulk_create(
                provinces,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "division_type", "name_folded", "sort_key"],
            )
            Commune.objects.bulk_create(
                communes,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "division_type", "name_folded", "sort_key", "province"],
            )
        self.stdout.write(f"Đã nạp {len(provinces)} tỉnh/thành phố và {len(communes)} xã/phường/đặc khu.")
