"""Site-condition logs with photos (R-SITE-1..4), written by the street office."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import require_role, require_visible
from accounts.uploads import IMAGES, check_upload
from stations.models import SiteConditionLog, SiteConditionPhoto, Station

CHECK_FIELDS = (
    *SiteConditionLog.REQUIRED_EQUIPMENT,
    "has_case_room",
    "has_group_room",
    "sign_installed",
    "catalogue_posted",
    *SiteConditionLog.SYSTEMS,
)


def site_log_record(
    *,
    station: Station,
    logged_on: datetime.date,
    conditions: dict[str, bool],
    photos: list,
    actor,
    notes: str = "",
) -> SiteConditionLog:
    """Log a station's conditions on a day, with photos; all or nothing — no record and no file on failure."""
    require_role(actor, Role.STREET, Role.BUREAU)
    require_visible(actor, station)
    if logged_on > timezone.localdate():
        raise ValidationError({"logged_on": "检查日期不能晚于今天。"})
    checked = [(photo, check_upload(photo, allowed=IMAGES, field="photos")) for photo in photos]
    saved_files = []
    try:
        with transaction.atomic():
            log = SiteConditionLog(
                station=station,
                logged_on=logged_on,
                logged_by=actor,
                notes=notes,
                **{name: bool(conditions.get(name)) for name in CHECK_FIELDS},
            )
            log.full_clean()
            log.save()
            for photo, result in checked:
                record = SiteConditionPhoto(
                    log=log,
                    original_name=photo.name[:255],
                    content_type=result.content_type,
                    size=result.size,
                    sha256=result.sha256,
                    uploaded_by=actor,
                )
                record.file.save(photo.name, photo, save=False)
                saved_files.append(record.file)
                record.full_clean()
                record.save()
    except Exception:
        for stored in saved_files:  # the transaction rolled back: leave no orphan file behind
            stored.storage.delete(stored.name)
        raise
    return log
