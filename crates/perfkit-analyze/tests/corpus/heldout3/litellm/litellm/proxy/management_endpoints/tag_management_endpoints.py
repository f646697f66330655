"""
TAG MANAGEMENT

All /tag management endpoints

/tag/new
/tag/info
/tag/update
/tag/delete
/tag/list
"""

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final, Protocol, TypedDict, overload

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import TypeAdapter

from litellm._logging import verbose_proxy_logger
from litellm.proxy._types import UserAPIKeyAuth, user_api_key_has_admin_view
from litellm.proxy.auth.user_api_key_auth import user_api_key_auth
from litellm.proxy.common_utils.user_api_key_cache import (
    tag_cache_key,
    tag_registry_cache_key,
)
from litellm.proxy.management_endpoints.common_daily_activity import (
    SpendAnalyticsPaginatedResponse,
    get_daily_activity,
)
from litellm.proxy.management_endpoints.common_utils import validate_finite_spend
from litellm.proxy.management_helpers.utils import handle_budget_for_entity
from litellm.redis.stores.spend_counters import (
    tag_counter,
)
from litellm.repositories.daily_activity_buckets import api_key_from_bucket
from litellm.repositories.model_repository import ModelRepository
from litellm.repositories.table_repositories import (
    DailyTagSpendRepository,
    TagRepository,
)
from litellm.repositories.verification_token_repository import (
    VerificationTokenRepository,
)
from litellm.types.tag_management import (
    TagConfig,
    TagDeleteRequest,
    TagInfoRequest,
    TagNewRequest,
    TagUpdateRequest,
)

if TYPE_CHECKING:
    from prisma.models import LiteLLM_BudgetTable as PrismaBudgetTable
    from prisma.models import LiteLLM_ProxyModelTable as PrismaProxyModelTable
    from prisma.models import LiteLLM_TagTable as PrismaTagTable
    from prisma.models import LiteLLM_VerificationToken as PrismaVerificationToken

    from litellm import Router
    from litellm.proxy.utils import PrismaClient
    from litellm.types.router import Deployment

router: Final = APIRouter()

_DECODED_JSON: Final = TypeAdapter(object)


class _TagRecord(Protocol):
    tag_name: str
    description: str | None
    models: Sequence[str]
    model_info: object
    budget_id: str | None
    created_at: datetime
    updated_at: datetime
    created_by: str | None
    litellm_budget_table: "PrismaBudgetTable | None"


class _TagTableClient(Protocol):
    async def find_unique(self, where: Mapping[str, object]) -> "_TagRecord | None": ...

    async def find_many(
        self,
        where: Mapping[str, object] | None = None,
        include: Mapping[str, object] | None = None,
    ) -> "Sequence[_TagRecord]": ...

    async def create(self, data: Mapping[str, object]) -> "PrismaTagTable": ...

    async def update(self, where: Mapping[str, object], data: Mapping[str, object]) -> "PrismaTagTable": ...

    async def delete(self, where: Mapping[str, object]) -> "PrismaTagTable | None": ...


class _ModelTableClient(Protocol):
    async def find_many(self, where: Mapping[str, object] | None = None) -> "Sequence[PrismaProxyModelTable]": ...


class _VerificationTokenTableClient(Protocol):
    async def find_many(
        self,
        where: Mapping[str, object] | None = None,
    ) -> "Sequence[PrismaVerificationToken]": ...


class _DailyTagSpendGroupByRow(TypedDict):
    tag: str | None
    _min: Mapping[str, object]
    _max: Mapping[str, object]


class _DailyTagSpendTableClient(Protocol):
    async def group_by(
        self,
        by: Sequence[str],
        where: Mapping[str, object] | None = None,
        min: Mapping[str, object] | None = None,
        max: Mapping[str, object] | None = None,
    ) -> "Sequence[_DailyTagSpendGroupByRow]": ...


@overload
def _table(repository: DailyTagSpendRepository) -> "_DailyTagSpendTableClient": ...


@overload
def _table(repository: ModelRepository) -> "_ModelTableClient": ...


@overload
def _table(repository: TagRepository) -> "_TagTableClient": ...


@overload
def _table(repository: VerificationTokenRepository) -> "_VerificationTokenTableClient": ...


def _table(
    repository: DailyTagSpendRepository | ModelRepository | TagRepository | VerificationTokenRepository,
) -> object:
    prisma_table: Final[object] = repository.table
    return prisma_table


async def _evict_tag_cache_keys(cache_keys: Sequence[str]) -> None:
    """
    Every endpoint that mutates a tag row must call this, or a deleted tag keeps its budget
    enforced and a newly created one stays invisible to the cached name registry until the TTL
    expires: auth reads tags cache-first, with no freshness check.
    """
    from litellm.proxy.common_utils.auth_cache_invalidation_pubsub import (
        evict_and_broadcast,
    )
    from litellm.proxy.proxy_server import user_api_key_cache

    await evict_and_broadcast(cache_keys=cache_keys, user_api_key_cache=user_api_key_cache)


async def _get_internal_user_api_keys(
    prisma_client: "PrismaClient",
    user_api_key_dict: UserAPIKeyAuth,
) -> list[str]:
    user_role: Final = user_api_key_dict.user_role
    if user_role is None or not user_role.is_internal_user_role:
        return []

    user_api_keys: Final = set()
    if user_api_key_dict.api_key:
        user_api_keys.add(user_api_key_dict.api_key)

    user_id: Final = user_api_key_dict.user_id
    if user_id is None:
        return sorted(user_api_keys)

    key_records: Final = await _table(VerificationTokenRepository(prisma_client)).find_many(
        where={"user_id": user_id},
    )
    user_api_keys.update(key_record.token for key_record in key_records if getattr(key_record, "token", None))

    return sorted(user_api_keys)


async def _get_tag_list_scope(
    prisma_client: "PrismaClient",
    user_api_key_dict: UserAPIKeyAuth,
) -> Mapping[str, Mapping[str, Sequence[str]]] | None:
    user_role: Final = user_api_key_dict.user_role
    if user_api_key_has_admin_view(user_api_key_dict) or (user_role is None or not user_role.is_internal_user_role):
        return None

    scoped_api_keys: Final = await _get_internal_user_api_keys(
        prisma_client=prisma_client,
        user_api_key_dict=user_api_key_dict,
    )
    return {"api_key": {"in": scoped_api_keys}}


async def get_tag_daily_activity_api_key_filter(
    prisma_client: "PrismaClient",
    user_api_key_dict: UserAPIKeyAuth,
    requested_api_key: str | None,
) -> str | list[str] | None:
    selected_key: Final = api_key_from_bucket(requested_api_key) if requested_api_key else None
    user_role: Final = user_api_key_dict.user_role
    if user_api_key_has_admin_view(user_api_key_dict) or (user_role is None or not user_role.is_internal_user_role):
        return [selected_key] if selected_key is not None else None

    scoped_api_keys: Final = await _get_internal_user_api_keys(
        prisma_client=prisma_client,
        user_api_key_dict=user_api_key_dict,
    )
    if selected_key is not None:
        return [selected_key] if selected_key in scoped_api_keys else []
    return scoped_api_keys


async def _get_model_names(prisma_client: "PrismaClient", model_ids: Sequence[str]) -> dict[str, str]:
    """Helper function to get model names from model IDs"""
    try:
        models: Final = await _table(ModelRepository(prisma_client)).find_many(where={"model_id": {"in": model_ids}})
        return {model.model_id: model.model_name for model in models}
    except Exception as e:
        verbose_proxy_logger.error("Error getting model names: %s", e)
        return {}


async def get_deployments_by_model(model: str, llm_router: "Router") -> list["Deployment"]:
    """
    Get all deployments by model
    """
    from litellm.types.router import Deployment, LiteLLM_Params, ModelInfo

    # Check if model id
    deployment: Final = llm_router.registry().deployment(model)
    if deployment is not None:
        return [deployment]

    # Check if model name
    deployments: Final = llm_router.registry().deployments(model)
    if deployments is None:
        return []
    return [
        Deployment(
            model_name=deployment["model_name"],
            litellm_params=LiteLLM_Params(**deployment["litellm_params"]),
            model_info=ModelInfo(**deployment.get("model_info") or {}),
        )
        for deployment in deployments
    ]


@router.post(
    "/tag/new",
    tags=["tag management"],
    dependencies=[Depends(user_api_key_auth)],
)
async def new_tag(
    tag: TagNewRequest,
    user_api_key_dict: UserAPIKeyAuth = Depends(user_api_key_auth),
):
    """
    Create a new tag.

    Parameters:
    - name: str - The name of the tag
    - description: Optional[str] - Description of what this tag represents
    - models: List[str] - List of either 'model_id' or 'model_name' allowed for this tag
    - budget_id: Optional[str] - The id for a budget (tpm/rpm/max budget) for the tag

    ### IF NO BUDGET ID - CREATE ONE WITH THESE PARAMS ###
    - max_budget: Optional[float] - Max budget for tag
    - tpm_limit: Optional[int] - Max tpm limit for tag
    - rpm_limit: Optional[int] - Max rpm limit for tag
    - max_parallel_requests: Optional[int] - Max parallel requests for tag
    - soft_budget: Optional[float] - Get a slack alert when this soft budget is reached
    - model_max_budget: Optional[dict] - Max budget for a specific model
    - budget_duration: Optional[str] - Frequency of resetting tag budget
    """
    from litellm.proxy._types import CommonProxyErrors
    from litellm.proxy.proxy_server import (
        invalidate_spend_counter,
        litellm_proxy_admin_name,
        llm_router,
        prisma_client,
    )

    if prisma_client is None:
        raise HTTPException(status_code=500, detail=CommonProxyErrors.db_not_connected_error.value)
    if llm_router is None:
        raise HTTPException(status_code=500, detail=CommonProxyErrors.no_llm_router.value)
    try:
        # Check if tag already exists
        existing_tag: Final = await _table(TagRepository(prisma_client)).find_unique(where={"tag_name": tag.name})
        if existing_tag is not None:
            raise HTTPException(status_code=400, detail=f"Tag {tag.name} already exists")

        # Handle budget creation/assignment using common helper
        budget_id: Final = await handle_budget_for_entity(
            data=tag,
            existing_budget_id=None,
            user_api_key_dict=user_api_key_dict,
            prisma_client=prisma_client,
            litellm_proxy_admin_name=litellm_proxy_admin_name,
        )

        # Get model names for model_info
        model_info: Final = await _get_model_names(prisma_client, tag.models or [])

        # Create new tag in database
        new_tag_record: Final = await _table(TagRepository(prisma_client)).create(
            data={
                "tag_name": tag.name,
                "description": tag.description,
                "models": tag.models or [],
                "model_info": json.dumps(model_info),
                "spend": 0.0,
                "budget_id": budget_id,
                "created_by": user_api_key_dict.user_id,
            }
        )

        await _evict_tag_cache_keys((tag_cache_key(tag.name), tag_registry_cache_key()))
        await invalidate_spend_counter(counter_key=tag_counter(tag.name))

        # Update models with new tag
        if tag.models:
            tasks: Final = []
            for model in tag.models:
                deployments = await get_deployments_by_model(model, llm_router)
                tasks.extend(
                    [
                        _add_tag_to_deployment(
                            deployment=deployment,
                            tag=tag.name,
                        )
                        for deployment in deployments
                    ]
                )
            await asyncio.gather(*tasks)

        # Build response
        tag_config: Final = TagConfig(
            name=new_tag_record.tag_name,
            description=new_tag_record.description,
            models=new_tag_record.models,
            model_info=model_info,
            created_at=new_tag_record.created_at.isoformat(),
            updated_at=new_tag_record.updated_at.isoformat(),
            created_by=new_tag_record.created_by,
        )

        return {
            "message": f"Tag {tag.name} created successfully",
            "tag": tag_config,
        }
    except Exception as e:
        verbose_proxy_logger.exception("Error creating tag: %s", e)
        raise HTTPException(status_code=500, detail=str(e))


async def _add_tag_to_deployment(deployment: "Deployment", tag: str):
    """Helper function to add tag to deployment"""
    from litellm.proxy.proxy_server import prisma_client

    if prisma_client is None:
        raise HTTPException(status_code=500, detail="Database not connected")

    try:
        # Get current model from database to preserve encrypted fields
        db_model = await ModelRepository(prisma_client).table.find_unique(where={"model_id": deployment.model_info.id})

        if db_model is None:
            raise HTTPException(
                status_code=404,
                detail=f"Model {deployment.model_info.id} not found in database",
            )

        # Prisma returns litellm_params as dict (already parsed from JSON)
        existing_params = db_model.litellm_params
        if isinstance(existing_params, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # prisma Json stub is str
            # If it's a string, parse it
            existing_params = json.loads(existing_params)
        elif not isinstance(existing_params, dict):  # pyright: ignore[reportUnnecessaryIsInstance]  # prisma Json stub
            raise Exception(f"Unexpected litellm_params type: {type(existing_params)}")

        # Add tag to tags array (preserve encryption of other fields)
        if "tags" not in existing_params:
            existing_params["tags"] = []
        if tag not in existing_params["tags"]:
            existing_params["tags"].append(tag)

        # Update database with modified params (keeps encrypted fields encrypted)
        await ModelRepository(prisma_client).table.update(
            where={"model_id": deployment.model_info.id},
            data={"litellm_params": json.dumps(existing_params)},
        )
    except Exception as e:
        verbose_proxy_logger.exception("Error adding tag to deployment: %s", e)
        raise HTTPException(status_code=500, detail=str(e))


@router.post(
    "/tag/update",
    tags=["tag management"],
    dependencies=[Depends(user_api_key_auth)],
)
async def update_tag(
    tag: TagUpdateRequest,
    user_api_key_dict: UserAPIKeyAuth = Depends(user_api_key_auth),
):
    """
    Update an existing tag.

    Parameters:
    - name: str - The name of the tag to update
    - spend: Optional[float] - Updated spend for the tag
    - description: Optional[str] - Updated description
    - models: List[str] - Updated list of allowed LLM models
    - budget_id: Optional[str] - The id for a budget to associate with the tag

    ### BUDGET UPDATE PARAMS ###
    - max_budget: Optional[float] - Max budget for tag
    - tpm_limit: Optional[int] - Max tpm limit for tag
    - rpm_limit: Optional[int] - Max rpm limit for tag
    - max_parallel_requests: Optional[int] - Max parallel requests for tag
    - soft_budget: Optional[float] - Get a slack alert when this soft budget is reached
    - model_max_budget: Optional[dict] - Max budget for a specific model
    - budget_duration: Optional[str] - Frequency of resetting tag budget
    """
    from litellm.proxy.proxy_server import prisma_client, set_spend_counter_with_floor_and_broadcast

    if prisma_client is None:
        raise HTTPException(status_code=500, detail="Database not connected")

    validate_finite_spend(tag.spend)

    try:
        # Check if tag exists
        existing_tag: Final = await _table(TagRepository(prisma_client)).find_unique(where={"tag_name": tag.name})
        if existing_tag is None:
            raise HTTPException(status_code=404, detail=f"Tag {tag.name} not found")

        from litellm.proxy.proxy_server import litellm_proxy_admin_name

        # Handle budget updates using common helper
        budget_id: Final = await handle_budget_for_entity(
            data=tag,
            existing_budget_id=existing_tag.budget_id,
            user_api_key_dict=user_api_key_dict,
            prisma_client=prisma_client,
            litellm_proxy_admin_name=litellm_proxy_admin_name,
            cleared_budget_fields=frozenset(field for field in tag.model_fields_set if getattr(tag, field) is None),
        )

        # Get model names for model_info
        model_info: Final = await _get_model_names(prisma_client, tag.models or [])

        # Prepare update data
        update_data: Final = {
            "description": tag.description,
            "models": tag.models or [],
            "model_info": json.dumps(model_info),
            **({"spend": tag.spend} if tag.spend is not None else {}),
            **({"budget_id": budget_id} if budget_id != existing_tag.budget_id else {}),
        }

        # Update tag in database
        updated_tag_record: Final = await _table(TagRepository(prisma_client)).update(
            where={"tag_name": tag.name},
            data=update_data,
        )

        await _evict_tag_cache_keys((tag_cache_key(tag.name),))

        if tag.spend is not None:
            await set_spend_counter_with_floor_and_broadcast(counter_key=f"spend:tag:{tag.name}", value=tag.spend)

        # Build response
        tag_config: Final = TagConfig(
            name=updated_tag_record.tag_name,
            description=updated_tag_record.description,
            models=updated_tag_record.models,
            model_info=model_info,
            created_at=updated_tag_record.created_at.isoformat(),
            updated_at=updated_tag_record.updated_at.isoformat(),
            created_by=updated_tag_record.created_by,
        )

        return {
            "message": f"Tag {tag.name} updated successfully",
            "tag": tag_config,
        }
    except Exception as e:
        verbose_proxy_logger.exception("Error updating tag: %s", e)
        raise HTTPException(status_code=500, detail=str(e))


@router.post(
    "/tag/info",
    tags=["tag management"],
    dependencies=[Depends(user_api_key_auth)],
)
async def info_tag(
    data: TagInfoRequest,
    user_api_key_dict: UserAPIKeyAuth = Depends(user_api_key_auth),
):
    """
    Get information about specific tags.

    Parameters:
    - names: List[str] - List of tag names to get information for
    """
    from litellm.proxy.proxy_server import prisma_client

    if prisma_client is None:
        raise HTTPException(status_code=500, detail="Database not connected")

    try:
        # Query tags from database with budget info
        tag_records: Final = await _table(TagRepository(prisma_client)).find_many(
            where={"tag_name": {"in": data.names}},
            include={"litellm_budget_table": True},
        )

        # Check if any requested tags don't exist
        found_tag_names: Final = {tag.tag_name for tag in tag_records}
        missing_tags: Final = [name for name in data.names if name not in found_tag_names]
        if missing_tags:
            raise HTTPException(status_code=404, detail=f"Tags not found: {missing_tags}")

        # Build response
        requested_tags: Final = {}
        for tag_record in tag_records:
            # Parse model_info from JSON
            model_info: object = {}
            if tag_record.model_info:
                if isinstance(tag_record.model_info, str):
                    model_info = _DECODED_JSON.validate_python(json.loads(tag_record.model_info))
                else:
                    model_info = tag_record.model_info

            tag_dict = {
                "name": tag_record.tag_name,
                "description": tag_record.description,
                "models": tag_record.models,
                "model_info": model_info,
                "created_at": tag_record.created_at.isoformat(),
                "updated_at": tag_record.updated_at.isoformat(),
                "created_by": tag_record.created_by,
            }

            # Add budget info if available
            if hasattr(tag_record, "litellm_budget_table") and tag_record.litellm_budget_table:
                tag_dict["litellm_budget_table"] = tag_record.litellm_budget_table

            requested_tags[tag_record.tag_name] = tag_dict

        return requested_tags
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e))


def _validate_tag_list_date_range(start_date: str | None, end_date: str | None) -> None:
    """Require both dates together, and enforce YYYY-MM-DD format with start <= end."""
    if (start_date is None) != (end_date is None):
        raise HTTPException(
            status_code=400,
            detail="start_date and end_date must be provided together",
        )
    if start_date is None:
        return
    try:
        start: Final = datetime.strptime(start_date, "%Y-%m-%d")
        end: Final = datetime.strptime(end_date, "%Y-%m-%d")
    except ValueError as e:
        raise HTTPException(
            status_code=400,
            detail=f"Invalid date format, expected YYYY-MM-DD: {e}",
        )
    if start > end:
        raise HTTPException(
            status_code=400,
            detail="start_date must be on or before end_date",
        )


@router.get(
    "/tag/list",
    tags=["tag management"],
    dependencies=[Depends(user_api_key_auth)],
)
async def list_tags(
    user_api_key_dict: UserAPIKeyAuth = Depends(user_api_key_auth),
    start_date: str | None = Query(
        None,
        description=(
            "Optional start date (YYYY-MM-DD). When provided together with "
            "end_date, dynamic tags are limited to those active in the window. "
            "Stored tags are always returned."
        ),
    ),
    end_date: str | None = Query(
        None,
        description="Optional end date (YYYY-MM-DD). Must be given with start_date.",
    ),
):
    """
    List all available tags with their budget information.
    """
    from litellm.proxy.proxy_server import prisma_client

    if prisma_client is None:
        raise HTTPException(status_code=500, detail="Database not connected")

    _validate_tag_list_date_range(start_date, end_date)

    try:
        tag_scope: Final = await _get_tag_list_scope(
            prisma_client=prisma_client,
            user_api_key_dict=user_api_key_dict,
        )

        ## QUERY DYNAMIC TAGS ##
        # Use group_by instead of find_many(distinct=["tag"]).
        # Prisma's distinct fetches all columns for all rows and deduplicates
        # in application code, which is extremely slow on large tables.
        # See: https://www.prisma.io/docs/orm/prisma-client/queries/aggregation-grouping-summarizing#distinct-under-the-hood
        dynamic_tag_where: dict[str, object] = {"tag": {"not": None}}
        if tag_scope:
            dynamic_tag_where = {**dynamic_tag_where, **tag_scope}
        if start_date is not None and end_date is not None:
            dynamic_tag_where["date"] = {"gte": start_date, "lte": end_date}

        dynamic_tag_rows: Final = await _table(DailyTagSpendRepository(prisma_client)).group_by(
            by=["tag"],
            where=dynamic_tag_where,
            min={"created_at": True},
            max={"updated_at": True},
        )

        used_tag_names: Final = [row["tag"] for row in dynamic_tag_rows if row["tag"]]
        if tag_scope is not None and not used_tag_names:
            return []

        stored_tag_where: Final = {"tag_name": {"in": used_tag_names}} if tag_scope is not None else None

        ## QUERY STORED TAGS ##
        tag_records: Final = await _table(TagRepository(prisma_client)).find_many(
            where=stored_tag_where,
            include={"litellm_budget_table": True},
        )

        stored_tag_names: Final = set()
        list_of_tags: Final = []
        for tag_record in tag_records:
            stored_tag_names.add(tag_record.tag_name)
            # Parse model_info from JSON
            model_info: object = {}
            if tag_record.model_info:
                if isinstance(tag_record.model_info, str):
                    model_info = _DECODED_JSON.validate_python(json.loads(tag_record.model_info))
                else:
                    model_info = tag_record.model_info

            tag_dict = {
                "name": tag_record.tag_name,
                "description": tag_record.description,
                "models": tag_record.models,
                "model_info": model_info,
                "created_at": tag_record.created_at.isoformat(),
                "updated_at": tag_record.updated_at.isoformat(),
                "created_by": tag_record.created_by,
            }

            # Add budget info if available
            if hasattr(tag_record, "litellm_budget_table") and tag_record.litellm_budget_table:
                tag_dict["litellm_budget_table"] = tag_record.litellm_budget_table

            list_of_tags.append(tag_dict)

        dynamic_tag_config: Final = [
            {
                "name": row["tag"],
                "description": "This is just a spend tag that was passed dynamically in a request. It does not control any LLM models.",
                "models": None,
                "created_at": row["_min"]["created_at"],
                "updated_at": row["_max"]["updated_at"],
            }
            for row in dynamic_tag_rows
            if row["tag"] not in stored_tag_names
        ]

        return list_of_tags + dynamic_tag_config
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e))


@router.post(
    "/tag/delete",
    tags=["tag management"],
    dependencies=[Depends(user_api_key_auth)],
)
async def delete_tag(
    data: TagDeleteRequest,
    user_api_key_dict: UserAPIKeyAuth = Depends(user_api_key_auth),
):
    """
    Delete a tag.

    Parameters:
    - name: str - The name of the tag to delete
    """
    from litellm.proxy.proxy_server import prisma_client

    if prisma_client is None:
        raise HTTPException(status_code=500, detail="Database not connected")

    try:
        # Check if tag exists
        existing_tag: Final = await _table(TagRepository(prisma_client)).find_unique(where={"tag_name": data.name})
        if existing_tag is None:
            raise HTTPException(status_code=404, detail=f"Tag {data.name} not found")

        # Delete tag from database
        await _table(TagRepository(prisma_client)).delete(where={"tag_name": data.name})

        await _evict_tag_cache_keys((tag_cache_key(data.name), tag_registry_cache_key()))

        return {"message": f"Tag {data.name} deleted successfully"}
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e))


@router.get(
    "/tag/daily/activity",
    response_model=SpendAnalyticsPaginatedResponse,
    tags=["tag management"],
    dependencies=[Depends(user_api_key_auth)],
)
async def get_tag_daily_activity(
    tags: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    page: int = 1,
    page_size: int = 10,
    user_api_key_dict: UserAPIKeyAuth = Depends(user_api_key_auth),
):
    """
    Get daily activity for specific tags or all tags.

    Args:
        tags (Optional[str]): Comma-separated list of tags to filter by. If not provided, returns data for all tags.
        start_date (Optional[str]): Start date for the activity period (YYYY-MM-DD).
        end_date (Optional[str]): End date for the activity period (YYYY-MM-DD).
        model (Optional[str]): Filter by model name.
        api_key (Optional[str]): Filter by API key.
        page (int): Page number for pagination.
        page_size (int): Number of items per page.

    Returns:
        SpendAnalyticsPaginatedResponse: Paginated response containing daily activity data.
    """
    from litellm.proxy.proxy_server import prisma_client

    if prisma_client is None:
        raise HTTPException(status_code=500, detail="Database not connected")

    # Convert comma-separated tags string to list if provided
    tag_list: Final = tags.split(",") if tags else None
    scoped_api_key_filter: Final = await get_tag_daily_activity_api_key_filter(
        prisma_client=prisma_client,
        user_api_key_dict=user_api_key_dict,
        requested_api_key=api_key,
    )
    if scoped_api_key_filter == []:
        return SpendAnalyticsPaginatedResponse(results=[])

    return await get_daily_activity(
        prisma_client=prisma_client,
        table_name="litellm_dailytagspend",
        entity_id_field="tag",
        entity_id=tag_list,
        entity_metadata_field=None,
        start_date=start_date,
        end_date=end_date,
        model=model,
        api_key=scoped_api_key_filter,
        page=page,
        page_size=page_size,
        # metadata_metrics_func=None because litellm_dailytagspend rows are
        # pre-aggregated per (date, tag, model, …) and have no request_id.
        # Deduplication across tags is therefore not possible at this level —
        # a request tagged with N tags contributes its spend to N separate rows,
        # so passing compute_tag_metadata_totals would double-count spend when
        # multiple tags are present.  The panel is primarily used to inspect
        # individual tags, making this trade-off acceptable.
        metadata_metrics_func=None,
    )
