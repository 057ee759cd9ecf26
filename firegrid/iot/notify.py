"""Tell the people who hold a place when its fire alarm goes off (after commit; failures logged)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

log = logging.getLogger(__name__)


def alarms_raised(alarm_ids):
    from firegrid.hazards.notify import LEVEL_ROLES
    from firegrid.iot.models import Alarm
    from firegrid.org.models import RoleAssignment

    today = timezone.localdate()
    for alarm in Alarm.objects.filter(pk__in=alarm_ids).select_related("device", "region", "place"):
        path = alarm.region.path
        prefixes = ["/".join(path.split("/")[: i + 1]) + "/" for i in range(1, path.count("/"))]
        roles = [*LEVEL_ROLES["grid"], *LEVEL_ROLES["street"]]
        emails = sorted(
            set(
                RoleAssignment.objects.filter(role__in=roles, region__path__in=prefixes, starts_on__lte=today)
                .exclude(ends_on__lt=today)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if not emails:
            continue
        where = alarm.place.name if alarm.place_id else (alarm.device.location or alarm.device.ident)
        try:
            send_mail(
                f"[火警] {where}: {alarm.text}",
                f"{alarm.text}\n{where}\n{alarm.first_at:%Y-%m-%d %H:%M:%S}\n"
                f"{settings.PUBLIC_BASE_URL}/iot/alarms/{alarm.pk}/",
                None,
                emails,
            )
        except Exception as exc:  # a mail outage must not lose the alarm, which is committed already
            log.warning("alarm %s notification failed: %s", alarm.pk, exc)
