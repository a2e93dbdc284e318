"""Deletions, heard by the systems that sync: before a record the API serves is deleted (directly or by a cascade),
its district is noted; once deleted, a Tombstone says which record of which resource went, and when."""

from django.db.models.signals import post_delete, pre_delete

# The model of each resource the API lists, and the path from it to its district (for the tombstone's scope).
RESOURCES = {
    "stations.District": ("districts", "pk"),
    "stations.Street": ("streets", "district_id"),
    "stations.Station": ("stations", "street__district_id"),
    "contracts.Procurement": ("procurements", "station__street__district_id"),
    "contracts.ProjectCycle": ("cycles", "station__street__district_id"),
    "contracts.ContractYear": ("contract-years", "station__street__district_id"),
    "reports.Report": ("reports", "contract_year__station__street__district_id"),
    "evaluations.Evaluation": ("evaluations", "contract_year__station__street__district_id"),
}


def _before(sender, instance, **kwargs):
    _resource, path = RESOURCES[sender._meta.concrete_model._meta.label]
    instance._api_district = (
        type(instance)._base_manager.filter(pk=instance.pk).values_list(path, flat=True).first()
    )


def _after(sender, instance, **kwargs):
    from api.models import Tombstone

    resource, _path = RESOURCES[sender._meta.concrete_model._meta.label]
    Tombstone.objects.create(
        resource=resource, object_id=instance.pk, district_id=getattr(instance, "_api_district", None)
    )


def connect() -> None:
    from django.apps import apps

    for model in apps.get_models():  # each model and its proxies (a monthly brief is a Report)
        label = model._meta.concrete_model._meta.label
        if label in RESOURCES:
            uid = model._meta.label
            pre_delete.connect(_before, sender=model, dispatch_uid=f"api-tombstone-before-{uid}")
            post_delete.connect(_after, sender=model, dispatch_uid=f"api-tombstone-after-{uid}")
