"""The service catalog a kiosk shows: the services enabled for its office, in order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import models as wire
from central.models import Office, OfficeService, Service
from central.security.callers import SignedKiosk
from central.security.enrollment import office_wire


def service_wire(service: Service) -> wire.Service:
    return wire.Service(
        id=service.id,
        kind=wire.ServiceKind(service.kind),
        label=wire.LocalizedText(id=service.label_id, en=service.label_en),
        fields=[wire.FormField.model_validate(f) for f in service.spec.get("fields", [])],
        documents=[
            wire.DocumentRequirement.model_validate(d) for d in service.spec.get("documents", [])
        ],
    )


def catalog_for(db: Session, kiosk: SignedKiosk) -> wire.ServiceCatalog:
    services = db.scalars(
        select(Service)
        .join(OfficeService, OfficeService.service_id == Service.id)
        .where(OfficeService.office_id == kiosk.office_id)
        .order_by(Service.position, Service.id)
    ).all()
    office = db.get(Office, kiosk.office_id)
    assert office is not None  # a foreign key of the kiosk
    return wire.ServiceCatalog(
        office=office_wire(office), services=[service_wire(s) for s in services]
    )
