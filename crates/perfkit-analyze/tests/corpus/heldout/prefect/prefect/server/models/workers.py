"""
Functions for interacting with worker ORM objects.
Intended for internal use by the Prefect REST API.
"""

import datetime
from typing import (
    Any,
    Awaitable,
    Callable,
    Dict,
    List,
    Optional,
    Sequence,
    Union,
)
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

import prefect.server.schemas as schemas
from prefect._internal.uuid7 import uuid7
from prefect.server.database import PrefectDBInterface, db_injector, orm_models
from prefect.server.events import clients
from prefect.server.events.clients import PrefectServerEventsClient
from prefect.server.exceptions import ObjectNotFoundError
from prefect.server.models.events import (
    work_pool_created_event,
    work_pool_deleted_event,
    work_pool_status_event,
    work_pool_updated_event,  # Add this
    work_queue_created_event,
    work_queue_deleted_event,
)
from prefect.server.schemas.statuses import WorkQueueStatus
from prefect.server.utilities.database import UUID as PrefectUUID
from prefect.types._datetime import DateTime, now

DEFAULT_AGENT_WORK_POOL_NAME = "default-agent-pool"

# -----------------------------------------------------
# --
# --
# -- Work Pools
# --
# --
# -----------------------------------------------------


@db_injector
async def create_work_pool(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool: Union[schemas.core.WorkPool, schemas.actions.WorkPoolCreate],
) -> orm_models.WorkPool:
    """
    Creates a work pool.

    If a WorkPool with the same name exists, an error will be thrown.

    Args:
        session (AsyncSession): a database session
        work_pool (schemas.core.WorkPool): a WorkPool model

    Returns:
        orm_models.WorkPool: the newly-created WorkPool

    """

    pool = db.WorkPool(**work_pool.model_dump(exclude={"active_slots"}))

    if pool.type != "prefect-agent":
        if pool.is_paused:
            pool.status = schemas.statuses.WorkPoolStatus.PAUSED
        else:
            pool.status = schemas.statuses.WorkPoolStatus.NOT_READY

    session.add(pool)
    await session.flush()

    default_queue = await create_work_queue(
        session=session,
        work_pool_id=pool.id,
        work_queue=schemas.actions.WorkQueueCreate(
            name="default", description="The work pool's default queue."
        ),
    )

    pool.default_queue_id = default_queue.id  # type: ignore
    await session.flush()

    await emit_work_pool_created_event(pool)

    return pool


@db_injector
async def read_work_pool(
    db: PrefectDBInterface, session: AsyncSession, work_pool_id: UUID
) -> Optional[orm_models.WorkPool]:
    """
    Reads a WorkPool by id.

    Args:
        session (AsyncSession): A database session
        work_pool_id (UUID): a WorkPool id

    Returns:
        orm_models.WorkPool: the WorkPool
    """
    query = sa.select(db.WorkPool).where(db.WorkPool.id == work_pool_id).limit(1)
    result = await session.execute(query)
    return result.scalar()


@db_injector
async def read_work_pool_by_name(
    db: PrefectDBInterface, session: AsyncSession, work_pool_name: str
) -> Optional[orm_models.WorkPool]:
    """
    Reads a WorkPool by name.

    Args:
        session (AsyncSession): A database session
        work_pool_name (str): a WorkPool name

    Returns:
        orm_models.WorkPool: the WorkPool
    """
    query = sa.select(db.WorkPool).where(db.WorkPool.name == work_pool_name).limit(1)
    result = await session.execute(query)
    return result.scalar()


@db_injector
async def read_work_pools(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_filter: Optional[schemas.filters.WorkPoolFilter] = None,
    offset: Optional[int] = None,
    limit: Optional[int] = None,
) -> Sequence[orm_models.WorkPool]:
    """
    Read worker configs.

    Args:
        session: A database session
        offset: Query offset
        limit: Query limit
    Returns:
        List[orm_models.WorkPool]: worker configs
    """

    query = select(db.WorkPool).order_by(db.WorkPool.name)

    if work_pool_filter is not None:
        query = query.where(work_pool_filter.as_sql_filter())
    if offset is not None:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)

    result = await session.execute(query)
    return result.scalars().unique().all()


@db_injector
async def count_work_pools(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_filter: Optional[schemas.filters.WorkPoolFilter] = None,
) -> int:
    """
    Read worker configs.

    Args:
        session: A database session
        work_pool_filter: filter criteria to apply to the count
    Returns:
        int: the count of work pools matching the criteria
    """

    query = select(sa.func.count()).select_from(db.WorkPool)

    if work_pool_filter is not None:
        query = query.where(work_pool_filter.as_sql_filter())

    result = await session.execute(query)
    return result.scalar_one()


# States counted against both pool-level and queue-level concurrency by the
# worker scheduling SQL templates (get-runs-from-worker-queues.sql.jinja).
SLOT_OCCUPYING_STATES = {
    schemas.states.StateType.PENDING,
    schemas.states.StateType.RUNNING,
}


@db_injector
async def count_work_pool_active_slots(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
) -> int:
    """
    Count flow runs in slot-occupying states (Pending, Running) for a given
    work pool. Does not filter on queue pause status — paused queues may
    still have running/pending runs consuming resources. This matches the
    behavior of count_work_pool_slot_holders / get_work_pool_slot_holders.
    """
    query = (
        select(sa.func.count())
        .select_from(db.FlowRun)
        .join(db.WorkQueue, db.FlowRun.work_queue_id == db.WorkQueue.id)
        .where(
            db.WorkQueue.work_pool_id == work_pool_id,
            db.FlowRun.state_type.in_(SLOT_OCCUPYING_STATES),
        )
    )
    result = await session.execute(query)
    return result.scalar_one()


@db_injector
async def count_work_pool_active_slots_bulk(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_ids: Sequence[UUID],
) -> dict[UUID, int]:
    """
    Count active slots for multiple work pools in a single query.
    Returns a mapping of work_pool_id -> active slot count.
    Does not filter on queue pause status (see count_work_pool_active_slots).
    """
    if not work_pool_ids:
        return {}

    query = (
        select(
            db.WorkQueue.work_pool_id,
            sa.func.count(db.FlowRun.id),
        )
        .select_from(db.FlowRun)
        .join(db.WorkQueue, db.FlowRun.work_queue_id == db.WorkQueue.id)
        .where(
            db.WorkQueue.work_pool_id.in_(work_pool_ids),
            db.FlowRun.state_type.in_(SLOT_OCCUPYING_STATES),
        )
        .group_by(db.WorkQueue.work_pool_id)
    )
    result = await session.execute(query)
    return dict(result.all())


@db_injector
async def count_work_queue_active_slots(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_queue_id: UUID,
) -> int:
    """
    Count flow runs in slot-occupying states (Pending, Running) for a given
    work queue under a work pool. Counts by work_queue_id FK only.
    """
    query = (
        select(sa.func.count())
        .select_from(db.FlowRun)
        .where(
            db.FlowRun.work_queue_id == work_queue_id,
            db.FlowRun.state_type.in_(SLOT_OCCUPYING_STATES),
        )
    )
    result = await session.execute(query)
    return result.scalar_one()


@db_injector
async def count_work_queue_active_slots_bulk(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_queue_ids: Sequence[UUID],
) -> dict[UUID, int]:
    """
    Count active slots for multiple work queues in a single query.
    Returns a mapping of work_queue_id -> active slot count.
    """
    if not work_queue_ids:
        return {}
    query = (
        select(
            db.FlowRun.work_queue_id,
            sa.func.count(db.FlowRun.id),
        )
        .select_from(db.FlowRun)
        .where(
            db.FlowRun.work_queue_id.in_(work_queue_ids),
            db.FlowRun.state_type.in_(SLOT_OCCUPYING_STATES),
        )
        .group_by(db.FlowRun.work_queue_id)
    )
    result = await session.execute(query)
    return dict(result.all())


@db_injector
async def update_work_pool(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    work_pool: schemas.actions.WorkPoolUpdate,
    emit_status_change: Optional[
        Callable[
            [UUID, DateTime, orm_models.WorkPool, orm_models.WorkPool],
            Awaitable[None],
        ]
    ] = None,
    emit_update_event: bool = True,
) -> bool:
    """
    Update a WorkPool by id.

    Args:
        session (AsyncSession): A database session
        work_pool_id (UUID): a WorkPool id
        work_pool: the work pool data
        emit_status_change: function to call when work pool
            status is changed
        emit_update_event: whether to emit an event for updated non-status fields

    Returns:
        bool: whether or not the worker was updated
    """
    # exclude_unset=True allows us to only update values provided by
    # the user, ignoring any defaults on the model
    update_data = work_pool.model_dump_for_orm(exclude_unset=True)

    current_work_pool = await read_work_pool(session=session, work_pool_id=work_pool_id)
    if not current_work_pool:
        raise ObjectNotFoundError

    # Remove this from the session so we have a copy of the current state before we
    # update it; this will give us something to compare against when emitting events
    session.expunge(current_work_pool)

    if current_work_pool.type != "prefect-agent":
        if update_data.get("is_paused"):
            update_data["status"] = schemas.statuses.WorkPoolStatus.PAUSED

        if update_data.get("is_paused") is False:
            # If the work pool has any online workers, set the status to READY
            # Otherwise set it to, NOT_READY
            workers = await read_workers(
                session=session,
                work_pool_id=work_pool_id,
                worker_filter=schemas.filters.WorkerFilter(
                    status=schemas.filters.WorkerFilterStatus(
                        any_=[schemas.statuses.WorkerStatus.ONLINE]
                    )
                ),
            )
            if len(workers) > 0:
                update_data["status"] = schemas.statuses.WorkPoolStatus.READY
            else:
                update_data["status"] = schemas.statuses.WorkPoolStatus.NOT_READY

    if "status" in update_data:
        update_data["last_status_event_id"] = uuid7()
        update_data["last_transitioned_status_at"] = now("UTC")

    update_stmt = (
        sa.update(db.WorkPool)
        .where(db.WorkPool.id == work_pool_id)
        .values(**update_data)
    )
    result = await session.execute(update_stmt)

    updated = result.rowcount > 0
    if updated:
        wp = await read_work_pool(session=session, work_pool_id=work_pool_id)

        assert wp is not None
        assert current_work_pool is not wp

        # Detect which fields actually changed (excluding status and internal fields)
        # Fields that should trigger update events (user-updatable fields)
        WORK_POOL_EVENT_FIELDS = {
            # "is_paused", # Handled with status
            "description",
            "base_job_template",
            "concurrency_limit",
            "storage_configuration",
        }

        changed_fields = {}
        for field in update_data.keys():
            if field not in WORK_POOL_EVENT_FIELDS or field == "status":
                continue

            old_value = getattr(current_work_pool, field, None)
            new_value = getattr(wp, field, None)

            # Compare values (handle different types)
            if old_value != new_value:
                changed_fields[field] = {
                    "from": old_value,
                    "to": new_value,
                }

        # Emit event for non-status field changes
        if changed_fields and emit_update_event:
            await emit_work_pool_updated_event(
                session=session,
                work_pool=wp,
                changed_fields=changed_fields,
            )

        if "status" in update_data and emit_status_change:
            await emit_status_change(
                event_id=update_data["last_status_event_id"],  # type: ignore
                occurred=update_data["last_transitioned_status_at"],
                pre_update_work_pool=current_work_pool,
                work_pool=wp,
            )

    return updated


@db_injector
async def delete_work_pool(
    db: PrefectDBInterface, session: AsyncSession, work_pool_id: UUID
) -> bool:
    """
    Delete a WorkPool by id.

    Args:
        session (AsyncSession): A database session
        work_pool_id (UUID): a work pool id

    Returns:
        bool: whether or not the WorkPool was deleted
    """

    work_pool = await session.get(db.WorkPool, work_pool_id)
    if work_pool is None:
        return False

    queues = await read_work_queues(session=session, work_pool_id=work_pool_id)
    async with clients.PrefectServerEventsClient() as events_client:
        for queue in queues:
            await events_client.emit(
                await work_queue_deleted_event(
                    session=session, work_queue=queue, occurred=now("UTC")
                )
            )

    await emit_work_pool_deleted_event(work_pool)

    await session.execute(delete(db.WorkPool).where(db.WorkPool.id == work_pool_id))
    return True


@db_injector
async def get_scheduled_flow_runs(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_ids: Optional[List[UUID]] = None,
    work_queue_ids: Optional[List[UUID]] = None,
    scheduled_before: Optional[datetime.datetime] = None,
    scheduled_after: Optional[datetime.datetime] = None,
    limit: Optional[int] = None,
    respect_queue_priorities: Optional[bool] = None,
) -> Sequence[schemas.responses.WorkerFlowRunResponse]:
    """
    Get runs from queues in a specific work pool.

    Args:
        session (AsyncSession): a database session
        work_pool_ids (List[UUID]): a list of work pool ids
        work_queue_ids (List[UUID]): a list of work pool queue ids
        scheduled_before (datetime.datetime): a datetime to filter runs scheduled before
        scheduled_after (datetime.datetime): a datetime to filter runs scheduled after
        respect_queue_priorities (bool): whether or not to respect queue priorities
        limit (int): the maximum number of runs to return
        db: a database interface

    Returns:
        List[WorkerFlowRunResponse]: the runs, as well as related work pool details

    """

    if respect_queue_priorities is None:
        respect_queue_priorities = True

    return await db.queries.get_scheduled_flow_runs_from_work_pool(
        session=session,
        work_pool_ids=work_pool_ids,
        work_queue_ids=work_queue_ids,
        scheduled_before=scheduled_before,
        scheduled_after=scheduled_after,
        respect_queue_priorities=respect_queue_priorities,
        limit=limit,
    )


# -----------------------------------------------------
# --
# --
# -- Work Pool Queues
# --
# --
# -----------------------------------------------------


@db_injector
async def create_work_queue(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    work_queue: schemas.actions.WorkQueueCreate,
) -> orm_models.WorkQueue:
    """
    Creates a work pool queue.

    Args:
        session (AsyncSession): a database session
        work_pool_id (UUID): a work pool id
        work_queue (schemas.actions.WorkQueueCreate): a WorkQueue action model

    Returns:
        orm_models.WorkQueue: the newly-created WorkQueue

    """
    data = work_queue.model_dump(exclude={"work_pool_id"})
    if work_queue.priority is None:
        # Set the priority to be the first priority value that isn't already taken
        priorities_query = sa.select(db.WorkQueue.priority).where(
            db.WorkQueue.work_pool_id == work_pool_id
        )
        priorities = (await session.execute(priorities_query)).scalars().all()

        priority = None
        for i, p in enumerate(sorted(priorities)):
            # if a rank was skipped (e.g. the set priority is different than the
            # enumerated priority) then we can "take" that spot for this work
            # queue
            if i + 1 != p:
                priority = i + 1
                break

        # otherwise take the maximum priority plus one
        if priority is None:
            priority = max(priorities, default=0) + 1

        data["priority"] = priority

    model = db.WorkQueue(**data, work_pool_id=work_pool_id)

    session.add(model)
    await session.flush()
    await session.refresh(model)

    if work_queue.priority:
        await bulk_update_work_queue_priorities(
            session=session,
            work_pool_id=work_pool_id,
            new_priorities={model.id: work_queue.priority},
        )

    async with clients.PrefectServerEventsClient() as events_client:
        await events_client.emit(
            await work_queue_created_event(
                session=session, work_queue=model, occurred=now("UTC")
            )
        )

    return model


@db_injector
async def bulk_update_work_queue_priorities(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    new_priorities: Dict[UUID, int],
) -> None:
    """
    This is a brute force update of all work pool queue priorities for a given work
    pool.

    It loads all queues fully into memory, sorts them, and flushes the update to
    the orm_models. The algorithm ensures that priorities are unique integers > 0, and
    makes the minimum number of changes required to satisfy the provided
    `new_priorities`. For example, if no queues currently have the provided
    `new_priorities`, then they are assigned without affecting other queues. If
    they are held by other queues, then those queues' priorities are
    incremented as necessary.

    Updating queue priorities is not a common operation (happens on the same scale as
    queue modification, which is significantly less than reading from queues),
    so while this implementation is slow, it may suffice and make up for that
    with extreme simplicity.
    """

    if len(set(new_priorities.values())) != len(new_priorities):
        raise ValueError("Duplicate target priorities provided")

    # get all the work queues, sorted by priority
    work_queues_query = (
        sa.select(db.WorkQueue)
        .where(db.WorkQueue.work_pool_id == work_pool_id)
        .order_by(db.WorkQueue.priority.asc())
    )
    result = await session.execute(work_queues_query)
    all_work_queues = result.scalars().all()

    # split the queues into those that need to be updated and those that don't
    work_queues = [wq for wq in all_work_queues if wq.id not in new_priorities]
    updated_queues = [wq for wq in all_work_queues if wq.id in new_priorities]

    # update queue priorities and insert them into the appropriate place in the
    # full list of queues
    for queue in sorted(updated_queues, key=lambda wq: new_priorities[wq.id]):
        queue.priority = new_priorities[queue.id]
        for i, wq in enumerate(work_queues):
            if wq.priority >= new_priorities[queue.id]:
                work_queues.insert(i, queue)
                break

    # walk through the queues and update their priorities such that the
    # priorities are sequential. Do this by tracking that last priority seen and
    # ensuring that each successive queue's priority is higher than it. This
    # will maintain queue order and ensure increasing priorities with minimal
    # changes.
    last_priority = 0
    for queue in work_queues:
        if queue.priority <= last_priority:
            last_priority += 1
            queue.priority = last_priority
        else:
            last_priority = queue.priority

    await session.flush()


@db_injector
async def read_work_queues(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    work_queue_filter: Optional[schemas.filters.WorkQueueFilter] = None,
    offset: Optional[int] = None,
    limit: Optional[int] = None,
) -> Sequence[orm_models.WorkQueue]:
    """
    Read all work pool queues for a work pool. Results are ordered by ascending priority.

    Args:
        session (AsyncSession): a database session
        work_pool_id (UUID): a work pool id
        work_queue_filter: Filter criteria for work pool queues
        offset: Query offset
        limit: Query limit


    Returns:
        List[orm_models.WorkQueue]: the WorkQueues

    """
    query = (
        sa.select(db.WorkQueue)
        .where(db.WorkQueue.work_pool_id == work_pool_id)
        .order_by(db.WorkQueue.priority.asc())
    )

    if work_queue_filter is not None:
        query = query.where(work_queue_filter.as_sql_filter())
    if offset is not None:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)

    result = await session.execute(query)
    return result.scalars().unique().all()


@db_injector
async def count_work_queues(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    work_queue_filter: Optional[schemas.filters.WorkQueueFilter] = None,
) -> int:
    """Count work pool queues for a work pool."""
    query = (
        sa.select(sa.func.count())
        .select_from(db.WorkQueue)
        .where(db.WorkQueue.work_pool_id == work_pool_id)
    )
    if work_queue_filter is not None:
        query = query.where(work_queue_filter.as_sql_filter())
    result = await session.execute(query)
    return result.scalar_one()


@db_injector
async def read_work_queue(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_queue_id: Union[UUID, PrefectUUID],
) -> Optional[orm_models.WorkQueue]:
    """
    Read a specific work pool queue.

    Args:
        session (AsyncSession): a database session
        work_queue_id (UUID): a work pool queue id

    Returns:
        orm_models.WorkQueue: the WorkQueue

    """
    return await session.get(db.WorkQueue, work_queue_id)


@db_injector
async def read_work_queue_by_name(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_name: str,
    work_queue_name: str,
) -> Optional[orm_models.WorkQueue]:
    """
    Reads a WorkQueue by name.

    Args:
        session (AsyncSession): A database session
        work_pool_name (str): a WorkPool name
        work_queue_name (str): a WorkQueue name

    Returns:
        orm_models.WorkQueue: the WorkQueue
    """
    query = (
        sa.select(db.WorkQueue)
        .join(
            db.WorkPool,
            db.WorkPool.id == db.WorkQueue.work_pool_id,
        )
        .where(
            db.WorkPool.name == work_pool_name,
            db.WorkQueue.name == work_queue_name,
        )
        .limit(1)
    )
    result = await session.execute(query)
    return result.scalar()


@db_injector
async def update_work_queue(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_queue_id: UUID,
    work_queue: schemas.actions.WorkQueueUpdate,
    emit_status_change: Optional[
        Callable[[orm_models.WorkQueue], Awaitable[None]]
    ] = None,
    default_status: WorkQueueStatus = WorkQueueStatus.NOT_READY,
) -> bool:
    """
    Update a work pool queue.

    Args:
        session (AsyncSession): a database session
        work_queue_id (UUID): a work pool queue ID
        work_queue (schemas.actions.WorkQueueUpdate): a WorkQueue model
        emit_status_change: function to call when work queue
            status is changed

    Returns:
        bool: whether or not the WorkQueue was updated

    """
    from prefect.server.models.work_queues import is_last_polled_recent

    update_values = work_queue.model_dump_for_orm(exclude_unset=True)

    current_work_queue = await session.get(db.WorkQueue, work_queue_id)
    if current_work_queue is None:
        return False
    session.expunge(current_work_queue)

    if "is_paused" in update_values:
        # Only update the status to paused if it's not already paused. This ensures a work queue that is already
        # paused will not get a status update if it's paused again
        if (
            update_values.get("is_paused")
            and current_work_queue.status != WorkQueueStatus.PAUSED
        ):
            update_values["status"] = WorkQueueStatus.PAUSED

        # If unpausing, only update status if it's currently paused. This ensures a work queue that is already
        # unpaused will not get a status update if it's unpaused again
        if (
            update_values.get("is_paused") is False
            and current_work_queue.status == WorkQueueStatus.PAUSED
        ):
            # Default status if unpaused
            update_values["status"] = default_status

            # Determine source of last_polled: update_data or database
            if "last_polled" in update_values:
                last_polled = update_values["last_polled"]
            else:
                last_polled = current_work_queue.last_polled

            # Check if last polled is recent and set status to READY if so
            if is_last_polled_recent(last_polled):
                update_values["status"] = schemas.statuses.WorkQueueStatus.READY

    update_stmt = (
        sa.update(db.WorkQueue)
        .where(db.WorkQueue.id == work_queue_id)
        .values(update_values)
    )
    result = await session.execute(update_stmt)

    updated = result.rowcount > 0

    if updated:
        updated_work_queue = await session.get(db.WorkQueue, work_queue_id)
        assert updated_work_queue is not None
        assert current_work_queue is not updated_work_queue

        # Fields that should trigger update events (user-updatable fields)
        WORK_QUEUE_EVENT_FIELDS = {
            "name",
            "description",
            "concurrency_limit",
            "priority",
            # Exclude "is_paused" - handled with status
            # Exclude "last_polled" - usually auto-updated
            # Exclude "filter" - deprecated
        }

        changed_fields = {}
        for field in update_values.keys():
            if field not in WORK_QUEUE_EVENT_FIELDS or field == "status":
                continue

            old_value = getattr(current_work_queue, field, None)
            new_value = getattr(updated_work_queue, field, None)

            if old_value != new_value:
                changed_fields[field] = {
                    "from": old_value,
                    "to": new_value,
                }

        if changed_fields:
            from prefect.server.models.work_queues import emit_work_queue_updated_event

            await emit_work_queue_updated_event(
                session=session,
                work_queue=updated_work_queue,
                changed_fields=changed_fields,
            )

        if "priority" in update_values or "status" in update_values:
            if "priority" in update_values:
                await bulk_update_work_queue_priorities(
                    session,
                    work_pool_id=updated_work_queue.work_pool_id,
                    new_priorities={work_queue_id: update_values["priority"]},
                )

            if "status" in update_values and emit_status_change:
                await emit_status_change(updated_work_queue)

    return updated


@db_injector
async def delete_work_queue(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_queue_id: UUID,
) -> bool:
    """
    Delete a work pool queue.

    Args:
        session (AsyncSession): a database session
        work_queue_id (UUID): a work pool queue ID

    Returns:
        bool: whether or not the WorkQueue was deleted

    """
    work_queue = await session.get(db.WorkQueue, work_queue_id)
    if work_queue is None:
        return False

    async with clients.PrefectServerEventsClient() as events_client:
        await events_client.emit(
            await work_queue_deleted_event(
                session=session, work_queue=work_queue, occurred=now("UTC")
            )
        )

    await session.delete(work_queue)
    try:
        await session.flush()

    # if an error was raised, check if the user tried to delete a default queue
    except sa.exc.IntegrityError as exc:
        if "foreign key constraint" in str(exc).lower():
            raise ValueError("Can't delete a pool's default queue.")
        raise

    await bulk_update_work_queue_priorities(
        session,
        work_pool_id=work_queue.work_pool_id,
        new_priorities={},
    )
    return True


# -----------------------------------------------------
# --
# --
# -- Workers
# --
# --
# -----------------------------------------------------


@db_injector
async def read_workers(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    worker_filter: Optional[schemas.filters.WorkerFilter] = None,
    limit: Optional[int] = None,
    offset: Optional[int] = None,
) -> Sequence[orm_models.Worker]:
    query = (
        sa.select(db.Worker)
        .where(db.Worker.work_pool_id == work_pool_id)
        .order_by(db.Worker.last_heartbeat_time.desc())
        .limit(limit)
    )

    if worker_filter:
        query = query.where(worker_filter.as_sql_filter())

    if limit is not None:
        query = query.limit(limit)

    if offset is not None:
        query = query.offset(offset)

    result = await session.execute(query)
    return result.scalars().all()


@db_injector
async def read_worker_by_name(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    worker_name: str,
) -> Optional[orm_models.Worker]:
    query = (
        sa.select(db.Worker)
        .where(
            db.Worker.work_pool_id == work_pool_id,
            db.Worker.name == worker_name,
        )
        .limit(1)
    )
    result = await session.execute(query)
    return result.scalar()


@db_injector
async def worker_heartbeat(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    worker_name: str,
    heartbeat_interval_seconds: Optional[int] = None,
) -> bool:
    """
    Record a worker process heartbeat.

    Args:
        session (AsyncSession): a database session
        work_pool_id (UUID): a work pool ID
        worker_name (str): a worker name

    Returns:
        bool: whether or not the worker was updated

    """
    right_now = now("UTC")
    # Values that won't change between heart beats
    base_values = dict(
        work_pool_id=work_pool_id,
        name=worker_name,
    )
    # Values that can and will change between heartbeats
    update_values = dict(
        last_heartbeat_time=right_now,
        status=schemas.statuses.WorkerStatus.ONLINE,
    )
    if heartbeat_interval_seconds is not None:
        update_values["heartbeat_interval_seconds"] = heartbeat_interval_seconds

    insert_stmt = (
        db.queries.insert(db.Worker)
        .values(**base_values, **update_values)
        .on_conflict_do_update(
            index_elements=[
                db.Worker.work_pool_id,
                db.Worker.name,
            ],
            set_=update_values,
        )
    )

    result = await session.execute(insert_stmt)
    return result.rowcount > 0


async def record_worker_heartbeat(
    session: AsyncSession,
    work_pool: orm_models.WorkPool,
    worker_name: str,
    heartbeat_interval_seconds: Optional[int] = None,
    emit_status_change: Optional[
        Callable[
            [UUID, DateTime, orm_models.WorkPool, orm_models.WorkPool],
            Awaitable[None],
        ]
    ] = None,
    return_worker: bool = False,
) -> Optional[orm_models.Worker]:
    await worker_heartbeat(
        session=session,
        work_pool_id=work_pool.id,
        worker_name=worker_name,
        heartbeat_interval_seconds=heartbeat_interval_seconds,
    )

    if work_pool.status == schemas.statuses.WorkPoolStatus.NOT_READY:
        await update_work_pool(
            session=session,
            work_pool_id=work_pool.id,
            work_pool=schemas.internal.InternalWorkPoolUpdate(
                status=schemas.statuses.WorkPoolStatus.READY
            ),
            emit_status_change=emit_status_change,
        )

    if not return_worker:
        return None

    worker = await read_worker_by_name(
        session=session,
        work_pool_id=work_pool.id,
        worker_name=worker_name,
    )
    assert worker is not None
    return worker


@db_injector
async def delete_worker(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    worker_name: str,
) -> bool:
    """
    Delete a work pool's worker.

    Args:
        session (AsyncSession): a database session
        work_pool_id (UUID): a work pool ID
        worker_name (str): a worker name

    Returns:
        bool: whether or not the Worker was deleted

    """
    result = await session.execute(
        delete(db.Worker).where(
            db.Worker.work_pool_id == work_pool_id,
            db.Worker.name == worker_name,
        )
    )

    return result.rowcount > 0


# Work-pool scheduler (get-runs-from-worker-queues.sql.jinja) counts only
# PENDING and RUNNING against pool/queue concurrency limits.
WORK_POOL_SLOT_OCCUPYING_STATES = [
    schemas.states.StateType.PENDING,
    schemas.states.StateType.RUNNING,
]

# Work-queue scheduler (query_components.py) also counts CANCELLING.
WORK_QUEUE_SLOT_OCCUPYING_STATES = [
    schemas.states.StateType.PENDING,
    schemas.states.StateType.RUNNING,
    schemas.states.StateType.CANCELLING,
]

# Union of both for the slot_acquired_at subquery, which needs to find
# the earliest entry into any slot-occupying state regardless of context.
ALL_SLOT_OCCUPYING_STATES = [
    schemas.states.StateType.PENDING,
    schemas.states.StateType.RUNNING,
    schemas.states.StateType.CANCELLING,
]


def _slot_acquired_at_subquery(
    db: PrefectDBInterface,
) -> sa.ScalarSelect:
    """Correlated subquery returning when the current slot-occupying sequence began.

    For a run that has been retried or rescheduled, this finds the start of the
    *current* slot-occupying sequence — not the first-ever one. It does this by
    finding the latest non-slot-occupying state and then taking the earliest
    slot-occupying state after that point.
    """
    # Latest non-slot-occupying state timestamp (e.g. SCHEDULED, FAILED before retry)
    last_non_slot_state = (
        select(sa.func.max(db.FlowRunState.timestamp))
        .where(
            db.FlowRunState.flow_run_id == db.FlowRun.id,
            db.FlowRunState.type.notin_(ALL_SLOT_OCCUPYING_STATES),
        )
        .correlate(db.FlowRun)
        .scalar_subquery()
    )

    # Earliest slot-occupying state at or after the last non-slot state.
    # Uses >= so that a slot-occupying state with the same timestamp as the
    # preceding non-slot state (possible with imported/manual timestamps or
    # coarse precision) is still recognized as the current attempt.
    # If there was never a non-slot state, returns the earliest slot-occupying
    # state overall (correct for runs that started directly in a slot-occupying state).
    return (
        select(sa.func.min(db.FlowRunState.timestamp))
        .where(
            db.FlowRunState.flow_run_id == db.FlowRun.id,
            db.FlowRunState.type.in_(ALL_SLOT_OCCUPYING_STATES),
            sa.or_(
                last_non_slot_state.is_(None),
                db.FlowRunState.timestamp >= last_non_slot_state,
            ),
        )
        .correlate(db.FlowRun)
        .scalar_subquery()
        .label("slot_acquired_at")
    )


def _work_pool_slot_holder_filter(
    db: PrefectDBInterface, work_pool_id: UUID
) -> sa.ColumnElement:
    """Common WHERE clause for work-pool slot holder queries."""
    return sa.and_(
        db.WorkQueue.work_pool_id == work_pool_id,
        db.FlowRun.state_type.in_(WORK_POOL_SLOT_OCCUPYING_STATES),
    )


@db_injector
async def count_work_pool_slot_holders(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
) -> int:
    """Counts flow runs in slot-occupying states for a work pool."""
    query = (
        select(sa.func.count())
        .select_from(db.FlowRun)
        .join(db.WorkQueue, db.FlowRun.work_queue_id == db.WorkQueue.id)
        .where(_work_pool_slot_holder_filter(db, work_pool_id))
    )
    result = await session.execute(query)
    return result.scalar_one()


@db_injector
async def get_work_pool_slot_holders(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
    work_queue_ids: Optional[List[UUID]] = None,
    flow_run_limit: Optional[int] = None,
) -> Sequence[tuple[orm_models.FlowRun, Optional[DateTime]]]:
    """Returns flow runs in slot-occupying states for a work pool.

    Each result is a tuple of (FlowRun, slot_acquired_at) where
    slot_acquired_at is when the current slot-occupying sequence began.

    Args:
        work_pool_id: The work pool to query.
        work_queue_ids: If provided, only return runs for these queues.
        flow_run_limit: If provided, cap results per work_queue_id.
    """
    slot_acquired_at = _slot_acquired_at_subquery(db)
    # Matches the work-pool scheduler (get-runs-from-worker-queues.sql.jinja):
    # - Joins on work_queue_id (not name) — fr.work_queue_id = wq.id
    # - Counts only PENDING and RUNNING (not CANCELLING)
    # Does NOT filter on queue pause status: the Postgres and SQLite scheduler
    # templates disagree on this (Postgres excludes paused queues, SQLite
    # doesn't), and as a status/debugging endpoint we want to show all runs
    # that are actually consuming resources regardless of pause state.
    query = (
        select(db.FlowRun, slot_acquired_at)
        .join(db.WorkQueue, db.FlowRun.work_queue_id == db.WorkQueue.id)
        .where(_work_pool_slot_holder_filter(db, work_pool_id))
        .order_by(db.FlowRun.id)
    )
    if work_queue_ids is not None:
        query = query.where(db.FlowRun.work_queue_id.in_(work_queue_ids))
    result = await session.execute(query)
    rows = result.all()

    if flow_run_limit is not None and work_queue_ids is not None:
        # Apply per-queue flow_run_limit in Python (simpler than SQL windowing)
        from collections import Counter

        counts: Counter[UUID] = Counter()
        limited: list[tuple] = []
        for run, sa_val in rows:
            qid = run.work_queue_id
            if counts[qid] < flow_run_limit:
                limited.append((run, sa_val))
                counts[qid] += 1
        return limited

    return rows


@db_injector
async def count_work_pool_slot_holders_by_queue(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_pool_id: UUID,
) -> dict[UUID, int]:
    """Returns `{work_queue_id: count}` for slot-holding runs in a pool."""
    query = (
        select(db.FlowRun.work_queue_id, sa.func.count())
        .join(db.WorkQueue, db.FlowRun.work_queue_id == db.WorkQueue.id)
        .where(_work_pool_slot_holder_filter(db, work_pool_id))
        .group_by(db.FlowRun.work_queue_id)
    )
    result = await session.execute(query)
    return dict(result.all())


def _work_queue_slot_holder_filter(
    db: PrefectDBInterface, work_queue_id: UUID, queue_name_subquery: sa.ScalarSelect
) -> sa.ColumnElement:
    """Common WHERE clause for work-queue slot holder queries."""
    return sa.and_(
        sa.or_(
            db.FlowRun.work_queue_id == work_queue_id,
            sa.and_(
                db.FlowRun.work_queue_id.is_(None),
                db.FlowRun.work_queue_name == queue_name_subquery,
            ),
        ),
        db.FlowRun.state_type.in_(WORK_QUEUE_SLOT_OCCUPYING_STATES),
    )


@db_injector
async def count_work_queue_slot_holders(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_queue_id: UUID,
) -> int:
    """Counts flow runs in slot-occupying states for a single work queue."""
    queue_name_subquery = (
        select(db.WorkQueue.name)
        .where(db.WorkQueue.id == work_queue_id)
        .scalar_subquery()
    )
    query = (
        select(sa.func.count())
        .select_from(db.FlowRun)
        .where(_work_queue_slot_holder_filter(db, work_queue_id, queue_name_subquery))
    )
    result = await session.execute(query)
    return result.scalar_one()


@db_injector
async def get_work_queue_slot_holders(
    db: PrefectDBInterface,
    session: AsyncSession,
    work_queue_id: UUID,
    offset: Optional[int] = None,
    limit: Optional[int] = None,
) -> Sequence[tuple[orm_models.FlowRun, Optional[DateTime]]]:
    """Returns flow runs in slot-occupying states for a single work queue.

    Each result is a tuple of (FlowRun, slot_acquired_at) where
    slot_acquired_at is when the current slot-occupying sequence began.
    """
    slot_acquired_at = _slot_acquired_at_subquery(db)
    # Matches the work-queue scheduler (query_components.py):
    # - Joins on work_queue_name (FlowRun.work_queue_name == WorkQueue.name)
    # - Counts PENDING, RUNNING, and CANCELLING
    queue_name_subquery = (
        select(db.WorkQueue.name)
        .where(db.WorkQueue.id == work_queue_id)
        .scalar_subquery()
    )
    query = (
        select(db.FlowRun, slot_acquired_at)
        .where(_work_queue_slot_holder_filter(db, work_queue_id, queue_name_subquery))
        .order_by(db.FlowRun.id)
    )
    if offset is not None:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    result = await session.execute(query)
    return result.all()


async def emit_work_pool_updated_event(
    session: AsyncSession,
    work_pool: orm_models.WorkPool,
    changed_fields: Dict[str, Dict[str, Any]],
) -> None:
    """Emit an event when work pool fields are updated."""
    if not changed_fields:
        return

    async with PrefectServerEventsClient() as events_client:
        await events_client.emit(
            await work_pool_updated_event(
                session=session,
                work_pool=work_pool,
                changed_fields=changed_fields,
                occurred=now("UTC"),
            )
        )


async def emit_work_pool_created_event(work_pool: orm_models.WorkPool) -> None:
    """Emit an event when a work pool is created."""
    async with clients.PrefectServerEventsClient() as events_client:
        await events_client.emit(
            await work_pool_created_event(work_pool=work_pool, occurred=now("UTC"))
        )


async def emit_work_pool_deleted_event(work_pool: orm_models.WorkPool) -> None:
    """Emit an event when a work pool is deleted."""
    async with clients.PrefectServerEventsClient() as events_client:
        await events_client.emit(
            await work_pool_deleted_event(work_pool=work_pool, occurred=now("UTC"))
        )


async def emit_work_pool_status_event(
    event_id: UUID,
    occurred: DateTime,
    pre_update_work_pool: Optional[orm_models.WorkPool],
    work_pool: orm_models.WorkPool,
) -> None:
    if not work_pool.status:
        return

    async with PrefectServerEventsClient() as events_client:
        await events_client.emit(
            await work_pool_status_event(
                event_id=event_id,
                occurred=occurred,
                pre_update_work_pool=pre_update_work_pool,
                work_pool=work_pool,
            )
        )
