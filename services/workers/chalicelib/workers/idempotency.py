"""Once per object: Powertools' idempotency records, kept in the main table.

S3 may announce an object more than once, and SQS delivers at least once, so two deliveries of
one upload can even run at the same time. The record makes the second wait (it fails and is
retried while the first is in progress) and then answers with the first one's result. The
pipeline's own conditional writes stay the last line of defence: a run that crashed leaves an
in-progress record that expires with the invocation, and the retry resumes from the draft.
"""
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from pawport.keys import IDEMPOTENCY_KEY
from pawport.s3_events import StoredObject
from pawport.store import Store

# Duplicate notifications arrive within minutes; the pipeline itself handles anything later.
REMEMBER_SECONDS = 24 * 3600


class OncePerObject:
    def __init__(self, handle: Callable[[StoredObject], dict], name: str, store: Store) -> None:
        self._config = IdempotencyConfig(event_key_jmespath="[bucket, key, etag]", raise_on_no_idempotency_key=True,
                                         expires_after_seconds=REMEMBER_SECONDS)
        # One partition for these records (Powertools puts a static value in the hash key when the table has
        # a sort key), outside every household partition; reached through the store's own client.
        records = DynamoDBPersistenceLayer(store.table_name, key_attr="pk", sort_key_attr="sk", expiry_attr="expires_at",
                                           static_pk_value=IDEMPOTENCY_KEY, boto3_client=store.client)

        def once(stored: dict) -> dict:
            return handle(StoredObject(**stored))

        self._once = idempotent_function(once, data_keyword_argument="stored", persistence_store=records,
                                         config=self._config, key_prefix=name)

    def for_invocation(self, context: Any) -> Callable[[StoredObject], dict]:
        """The handler for this invocation: an in-progress record lasts only as long as it may run."""
        self._config.register_lambda_context(context)
        return lambda stored: self._once(stored=asdict(stored))
