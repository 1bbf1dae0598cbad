"""The main DynamoDB table (single-table design) through PynamoDB.

A household's projection lives in one partition, so the dashboard (and the membership check
that guards it) is one Query:
    pk = "HOUSEHOLD#<id>"   sk = "HOUSEHOLD" | "MEMBER#<user id>" | "PET#<id>"
Projection items carry `version`, the source row's version in Aurora: writes are conditional on
it, so a replayed or late outbox entry never rolls an item back.
"""
from pynamodb.attributes import MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model


class TableItem(Model):
    class Meta:
        table_name = "bound-at-start"  # see bind()
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    version = NumberAttribute(default=0)
    body = MapAttribute(default=dict)
    expires_at = TTLAttribute(null=True)


def bind(table_name: str, region: str, endpoint_url: str | None) -> None:
    """Point the model at this stage's table; called once when a service starts."""
    TableItem.Meta.table_name = table_name
    TableItem.Meta.region = region
    TableItem.Meta.host = endpoint_url
    TableItem._connection = None


def household_key(household_id: str) -> str:
    return f"HOUSEHOLD#{household_id}"


HOUSEHOLD_SK = "HOUSEHOLD"


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


def pet_sk(pet_id: str) -> str:
    return f"PET#{pet_id}"
