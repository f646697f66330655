from __future__ import annotations

import functools
import inspect
import io
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import MethodType
from typing import (
    Any,
    cast,
    no_type_check,
)
from urllib.parse import parse_qsl, urljoin

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker
from starlette import status
from starlette.applications import Starlette
from starlette.datastructures import URL, FormData, MultiDict, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sqladmin._import import handle_import_upload, import_csv, import_error_response
from sqladmin._menu import CategoryMenu, Menu, ViewMenu
from sqladmin._types import ENGINE_TYPE, SESSION_MAKER
from sqladmin.ajax import QueryAjaxModelLoader
from sqladmin.audit import AuditBackend, NullAuditBackend
from sqladmin.authentication import AuthenticationBackend, login_required
from sqladmin.authorization import (
    Action,
    AllowAllAuthorizationBackend,
    AuthorizationBackend,
    custom_action,
)
from sqladmin.editors import collect_form_media
from sqladmin.flash import get_flashed_messages
from sqladmin.forms import WTFORMS_ATTRS, WTFORMS_ATTRS_REVERSED
from sqladmin.helpers import (
    get_object_identifier,
    is_async_session_maker,
    slugify_action_name,
)
from sqladmin.i18n import (
    BABEL_INSTALLED,
    I18nConfig,
    LocaleMiddleware,
    get_locale,
    get_locale_display_name,
    gettext,
    ngettext,
)
from sqladmin.models import BaseView, ModelView
from sqladmin.secret import Secret
from sqladmin.templating import Jinja2Templates

__all__ = [
    "Admin",
    "expose",
    "action",
]

logger = logging.getLogger(__name__)


def _save_button_clicked(form: FormData, label: str) -> bool:
    """Return whether the submit button ``label`` was pressed.

    The create/edit templates render the submit buttons via gettext, so in
    non-English locales the submitted ``save`` value is the translated label.
    Compare against both the English literal and the active-locale translation.
    """

    return form.get("save") in (label, gettext(label))


class BaseAdmin:
    """Base class for implementing Admin interface.

    Danger:
        This class should almost never be used directly.
    """

    def __init__(
        self,
        app: Starlette,
        engine: ENGINE_TYPE | None = None,
        session_maker: SESSION_MAKER | None = None,
        base_url: str = "/admin",
        title: str = "Admin",
        logo_url: str | None = None,
        logo_width: int = 64,
        logo_height: int = 64,
        favicon_url: str | None = None,
        templates_dir: str = "templates",
        middlewares: Sequence[Middleware] | None = None,
        authentication_backend: AuthenticationBackend | None = None,
        authorization_backend: AuthorizationBackend | None = None,
        i18n_config: I18nConfig | None = None,
        audit_backend: AuditBackend | None = None,
    ) -> None:
        self.app = app
        self.audit_backend = audit_backend or NullAuditBackend()
        self.authorization_backend = (
            authorization_backend or AllowAllAuthorizationBackend()
        )
        self.engine = engine
        self.base_url = base_url
        self.templates_dir = templates_dir
        self.title = title
        self.logo_url = logo_url
        self.logo_width = logo_width
        self.logo_height = logo_height
        self.favicon_url = favicon_url
        self.i18n_config = i18n_config
        if i18n_config is not None and not BABEL_INSTALLED:
            warnings.warn(
                "i18n_config was provided but the 'babel' package is not "
                "installed; the interface will not be translated. Install it "
                "with `pip install sqladmin[i18n]`.",
                UserWarning,
                stacklevel=3,
            )

        if session_maker:
            self.session_maker = session_maker
        elif isinstance(self.engine, Engine):
            self.session_maker = sessionmaker(bind=self.engine, class_=Session)
        else:
            self.session_maker = async_sessionmaker(
                bind=self.engine,
                class_=AsyncSession,
            )

        self.session_maker.configure(autoflush=False, autocommit=False)
        self.is_async = is_async_session_maker(self.session_maker)

        middlewares = list(middlewares or [])
        self.authentication_backend = authentication_backend
        if authentication_backend:
            middlewares.extend(authentication_backend.middlewares)
        self.authorization_backend.setup(self)

        if self.i18n_config is not None:
            middlewares.append(
                Middleware(
                    LocaleMiddleware,
                    i18n_config=self.i18n_config,
                    cookie_path=self.base_url or "/",
                )
            )

        self.admin = Starlette(middleware=middlewares)
        self.templates = self.init_templating_engine()
        self._views: list[BaseView | ModelView] = []
        self._menu = Menu()

    def init_templating_engine(self) -> Jinja2Templates:
        templates = Jinja2Templates("templates")
        loaders = [
            FileSystemLoader(self.templates_dir),
            PrefixLoader(
                {"sqladmin_original": PackageLoader("sqladmin", "templates/sqladmin")}
            ),
            PackageLoader("sqladmin", "templates"),
        ]

        templates.env.loader = ChoiceLoader(loaders)
        templates.env.globals["min"] = min
        templates.env.globals["zip"] = zip
        templates.env.globals["admin"] = self
        templates.env.globals["is_list"] = lambda x: isinstance(x, (list, set))
        templates.env.globals["get_object_identifier"] = get_object_identifier
        templates.env.globals["get_flashed_messages"] = get_flashed_messages
        templates.env.globals["Secret"] = Secret
        templates.env.globals["collect_form_media"] = collect_form_media

        templates.env.add_extension("jinja2.ext.i18n")
        if self.i18n_config is not None:
            templates.env.globals["i18n_config"] = self.i18n_config
            templates.env.globals["get_locale"] = get_locale
            templates.env.globals["get_locale_display_name"] = get_locale_display_name
            templates.env.install_gettext_callables(  # type: ignore[attr-defined]
                gettext, ngettext, newstyle=True
            )
        else:
            # No i18n configured: keep templates that use ``_("...")`` working
            # by installing identity (null) translation callables.
            templates.env.globals["i18n_config"] = I18nConfig()
            templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]

        return templates

    @property
    def views(self) -> list[BaseView | ModelView]:
        """Get list of ModelView and BaseView instances lazily.

        Returns:
            List of ModelView and BaseView instances added to Admin.
        """

        return self._views

    def _find_model_view(self, identity: str) -> ModelView:
        for view in self.views:
            if isinstance(view, ModelView) and view.identity == identity:
                return view

        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)

    def add_view(self, view: type[ModelView] | type[BaseView]) -> None:
        """Add ModelView or BaseView classes to Admin.
        This is a shortcut that will handle both `add_model_view` and `add_base_view`.
        """

        if view.is_model:
            self.add_model_view(view)  # type: ignore
        else:
            self.add_base_view(view)

    @staticmethod
    def _find_decorated_funcs(
        view: type[BaseView | ModelView],
        view_instance: BaseView | ModelView,
        handle_fn: Callable[
            [MethodType, type[BaseView | ModelView], BaseView | ModelView],
            None,
        ],
    ) -> None:
        funcs = inspect.getmembers(view_instance, predicate=inspect.ismethod)

        for _, func in sorted(
            funcs,
            key=lambda x: inspect.unwrap(x[1]).__code__.co_firstlineno,
            reverse=True,
        ):
            handle_fn(func, view, view_instance)

    def _handle_action_decorated_func(
        self,
        func: MethodType,
        view: type[BaseView | ModelView],
        view_instance: BaseView | ModelView,
    ) -> None:
        if hasattr(func, "_action"):
            view_instance = cast(ModelView, view_instance)
            self.admin.add_route(
                route=func,
                path=f"/{view_instance.identity}/action/" + getattr(func, "_slug"),
                methods=["GET"],
                name=f"action-{view_instance.identity}-{getattr(func, '_slug')}",
                include_in_schema=getattr(func, "_include_in_schema"),
            )

            if getattr(func, "_add_in_list"):
                view_instance._custom_actions_in_list[getattr(func, "_slug")] = getattr(
                    func, "_label"
                )
            if getattr(func, "_add_in_detail"):
                view_instance._custom_actions_in_detail[getattr(func, "_slug")] = (
                    getattr(func, "_label")
                )

            if getattr(func, "_confirmation_message"):
                view_instance._custom_actions_confirmation[getattr(func, "_slug")] = (
                    getattr(func, "_confirmation_message")
                )

    def _handle_expose_decorated_func(
        self,
        func: MethodType,
        view: type[BaseView | ModelView],
        view_instance: BaseView | ModelView,
    ) -> None:
        if hasattr(func, "_exposed"):
            if view.is_model:
                path = f"/{view_instance.identity}" + getattr(func, "_path")
                name = f"view-{view_instance.identity}-{func.__name__}"
            else:
                view.identity = getattr(func, "_identity")
                path = getattr(func, "_path")
                name = f"view-{view.identity}"

            self.admin.add_route(
                route=func,
                path=path,
                methods=getattr(func, "_methods"),
                name=name,
                include_in_schema=getattr(func, "_include_in_schema"),
            )

    def add_model_view(self, view: type[ModelView]) -> None:
        """Add ModelView to the Admin.

        ???+ usage
            ```python
            from sqladmin import Admin, ModelView

            class UserAdmin(ModelView, model=User):
                pass

            admin.add_model_view(UserAdmin)
            ```
        """

        view._admin_ref = self
        # Set database engine from Admin instance
        view.session_maker = self.session_maker
        view.is_async = self.is_async
        view.ajax_lookup_url = urljoin(
            self.base_url + "/", f"{view.identity}/ajax/lookup"
        )
        view.templates = self.templates
        view_instance = view()

        self._find_decorated_funcs(
            view, view_instance, self._handle_action_decorated_func
        )

        self._find_decorated_funcs(
            view, view_instance, self._handle_expose_decorated_func
        )

        self._views.append(view_instance)
        self._build_menu(view_instance)

    def add_base_view(self, view: type[BaseView]) -> None:
        """Add BaseView to the Admin.

        ???+ usage
            ```python
            from sqladmin import BaseView, expose

            class CustomAdmin(BaseView):
                name = "Custom Page"
                icon = "fa-solid fa-chart-line"

                @expose("/custom", methods=["GET"])
                async def test_page(self, request: Request):
                    return await self.templates.TemplateResponse(request, "custom.html")

            admin.add_base_view(CustomAdmin)
            ```
        """

        view._admin_ref = self
        view.templates = self.templates
        view_instance = view()

        self._find_decorated_funcs(
            view, view_instance, self._handle_expose_decorated_func
        )
        self._views.append(view_instance)
        self._build_menu(view_instance)

    def _build_menu(self, view: ModelView | BaseView) -> None:
        if view.category:
            menu = CategoryMenu(name=view.category, icon=view.category_icon)
            menu.add_child(ViewMenu(view=view, name=view.name, icon=view.icon))
            self._menu.add(menu)
        else:
            self._menu.add(ViewMenu(view=view, icon=view.icon, name=view.name))


class BaseAdminView(BaseAdmin):
    """
    Manage right to access to an action from a model
    """

    async def _list(self, request: Request) -> bool:
        """Guard the list page and return whether its rows may be shown.

        Without the ``list`` permission the page still opens, with no rows and
        only the buttons the user is allowed. Hiding the view altogether is
        up to ``is_accessible``.
        """

        model_view = self._find_model_view(request.path_params["identity"])
        if not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        return await model_view.check_can_list(request)

    async def _create(self, request: Request) -> None:
        model_view = self._find_model_view(request.path_params["identity"])
        if not model_view.can_create or not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        can_create = await model_view.check_can_create(request)
        if not can_create:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

    async def _details(self, request: Request) -> None:
        model_view = self._find_model_view(request.path_params["identity"])
        if not model_view.can_view_details or not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        if hasattr(model_view, "check_can_view_details"):
            pk = request.path_params.get("pk")
            if pk is None or not isinstance(pk, str):
                raise ValueError(
                    f'pk not found in request.path_params "{request.path_params}"'
                )
            model = await model_view.get_object_for_details(request)
            can_view_details_row = await model_view.check_can_view_details(
                request, model
            )
            if can_view_details_row is not True:
                raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

    async def _delete(self, request: Request) -> None:
        model_view = self._find_model_view(request.path_params["identity"])

        if not model_view.can_delete or not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        if hasattr(model_view, "check_can_delete"):
            pks = request.query_params.get("pks")
            if pks is None or not isinstance(pks, str):
                raise ValueError(
                    f'pks not found in request.query_params "{request.query_params}"'
                )

            for pk in pks.split(","):
                request.path_params["pk"] = pk
                model = await model_view.get_object_for_details(request)
                can_delete_row = await model_view.check_can_delete(request, model)
                if can_delete_row is not True:
                    raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

    async def _edit(self, request: Request) -> None:
        model_view = self._find_model_view(request.path_params["identity"])
        if not model_view.can_edit or not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        if hasattr(model_view, "check_can_edit"):
            pk = request.path_params.get("pk")
            if pk is None or not isinstance(pk, str):
                raise ValueError(
                    f'pk not found in request.path_params "{request.path_params}"'
                )
            model = await model_view.get_object_for_details(request)
            can_edit_row = await model_view.check_can_edit(request, model)
            if can_edit_row is not True:
                raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

    async def _import(self, request: Request) -> None:
        model_view = self._find_model_view(request.path_params["identity"])
        if not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        can_import = model_view.can_import and await model_view.check_can_import(
            request
        )
        if not can_import:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

    async def _export(self, request: Request) -> None:
        model_view = self._find_model_view(request.path_params["identity"])
        if not model_view.can_export or not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        can_export = await model_view.check_can_export(request)
        if not can_export:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        if request.path_params["export_type"] not in model_view.export_types:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)

    async def _file_access(self, request: Request) -> ModelView:
        """Authorize file preview/download like the details view."""

        model_view = self._find_model_view(request.path_params["identity"])
        if not model_view.can_view_details or not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        if hasattr(model_view, "check_can_view_details"):
            pk = request.path_params.get("pk")
            if pk is None or not isinstance(pk, str):
                raise ValueError(
                    f'pk not found in request.path_params "{request.path_params}"'
                )
            model = await model_view.get_object_for_details(request)
            can_view_details_row = await model_view.check_can_view_details(
                request, model
            )
            if can_view_details_row is not True:
                raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        return model_view

    async def _get_file(self, request: Request) -> Path:
        """Get a validated file path for preview/download."""

        model_view = await self._file_access(request)
        return await model_view.get_object_filepath(
            request.path_params["pk"],
            request.path_params["column_name"],
        )


class Admin(BaseAdminView):
    """Main entrypoint to admin interface.

    ???+ usage
        ```python
        from fastapi import FastAPI
        from sqladmin import Admin, ModelView

        from mymodels import User # SQLAlchemy model


        app = FastAPI()
        admin = Admin(app, engine)


        class UserAdmin(ModelView, model=User):
            column_list = [User.id, User.name]


        admin.add_view(UserAdmin)
        ```
    """

    def __init__(  # type: ignore[no-any-unimported]
        self,
        app: Starlette,
        engine: ENGINE_TYPE | None = None,
        session_maker: SESSION_MAKER | None = None,
        base_url: str = "/admin",
        title: str = "Admin",
        logo_url: str | None = None,
        logo_width: int = 64,
        logo_height: int = 64,
        favicon_url: str | None = None,
        middlewares: Sequence[Middleware] | None = None,
        debug: bool = False,
        templates_dir: str = "templates",
        authentication_backend: AuthenticationBackend | None = None,
        authorization_backend: AuthorizationBackend | None = None,
        static_files_kwargs: dict[str, Any] | None = None,
        i18n_config: I18nConfig | None = None,
        audit_backend: AuditBackend | None = None,
    ) -> None:
        """
        Args:
            app: Starlette or FastAPI application.
            engine: SQLAlchemy engine instance.
            session_maker: SQLAlchemy sessionmaker instance.
            base_url: Base URL for Admin interface.
            title: Admin title.
            logo_url: URL of logo to be displayed instead of title.
            logo_width: Width of the logo image in pixels. Defaults to 64.
            logo_height: Height of the logo image in pixels. Defaults to 64.
            favicon_url: URL of favicon to be displayed.
            authorization_backend: Decides what the authenticated user may do.
                See
                [`AuthorizationBackend`][sqladmin.authorization.AuthorizationBackend].
                When omitted, everything is allowed and only the ``can_*``
                flags and any view overrides apply.
            static_files_kwargs: Extra keyword arguments for Starlette StaticFiles.
            i18n_config: Internationalization configuration. When provided, the
                interface is translated per request and, if
                ``language_switcher`` is set, a language switcher is shown.
        """

        super().__init__(
            app=app,
            engine=engine,
            session_maker=session_maker,  # type: ignore[arg-type]
            base_url=base_url,
            title=title,
            logo_url=logo_url,
            logo_width=logo_width,
            logo_height=logo_height,
            favicon_url=favicon_url,
            templates_dir=templates_dir,
            middlewares=middlewares,
            authentication_backend=authentication_backend,
            authorization_backend=authorization_backend,
            i18n_config=i18n_config,
            audit_backend=audit_backend,
        )

        static_files_kwargs = {**(static_files_kwargs or {}), "packages": ["sqladmin"]}
        statics = StaticFiles(**static_files_kwargs)

        async def http_exception(
            request: Request, exc: Exception
        ) -> Response | Awaitable[Response]:
            if not isinstance(exc, HTTPException):
                raise TypeError(f"Expected HTTPException, got {type(exc)}")

            context = {
                "status_code": exc.status_code,
                "message": exc.detail,
            }
            return await self.templates.TemplateResponse(
                request, "sqladmin/error.html", context, status_code=exc.status_code
            )

        routes = [
            Mount("/statics", app=statics, name="statics"),
            Route("/", endpoint=self.index, name="index"),
            Route("/{identity}/list", endpoint=self.list, name="list"),
            Route(
                "/{identity}/details/{pk:path}", endpoint=self.details, name="details"
            ),
            Route(
                "/{identity}/delete",
                endpoint=self.delete,
                name="delete",
                methods=["DELETE"],
            ),
            Route(
                "/{identity}/create",
                endpoint=self.create,
                name="create",
                methods=["GET", "POST"],
            ),
            Route(
                "/{identity}/edit/{pk:path}",
                endpoint=self.edit,
                name="edit",
                methods=["GET", "POST"],
            ),
            Route(
                "/{identity}/export/{export_type}", endpoint=self.export, name="export"
            ),
            Route(
                "/{identity}/import",
                endpoint=self.import_endpoint,
                name="import",
                methods=["POST"],
            ),
            Route(
                "/{identity}/ajax/lookup", endpoint=self.ajax_lookup, name="ajax_lookup"
            ),
            Route("/login", endpoint=self.login, name="login", methods=["GET", "POST"]),
            Route("/logout", endpoint=self.logout, name="logout", methods=["GET"]),
            Route(
                "/{identity}/{pk:path}/{column_name}/download/",
                endpoint=self.file_download,
                name="file_download",
                methods=["GET"],
            ),
            Route(
                "/{identity}/{pk:path}/{column_name}/preview/",
                endpoint=self.file_preview,
                name="file_preview",
                methods=["GET"],
            ),
        ]

        self.admin.router.routes = routes
        self.admin.exception_handlers = {HTTPException: http_exception}
        self.admin.debug = debug
        self.app.mount(base_url, app=self.admin, name="admin")

    @login_required
    async def index(self, request: Request) -> Response:
        """Index route which can be overridden to create dashboards."""

        return await self.templates.TemplateResponse(request, "sqladmin/index.html")

    @login_required
    async def list(self, request: Request) -> Response:
        """List route to display paginated Model instances."""

        can_list = await self._list(request)

        model_view = self._find_model_view(request.path_params["identity"])
        context = {
            **await model_view.list_context(request),
            "model_view": model_view,
            "can_list": can_list,
            "can_import": model_view.can_import
            and await model_view.check_can_import(request),
        }

        if can_list:
            pagination = await model_view.list(request)
            pagination.add_pagination_urls(request.url)

            request_page = model_view.validate_page_number(
                request.query_params.get("page"), 1
            )

            if request_page != pagination.page:
                return RedirectResponse(
                    request.url.include_query_params(page=pagination.page),
                    status_code=status.HTTP_302_FOUND,
                )

            context["pagination"] = pagination

        if request.query_params.get("error"):
            context["error"] = request.query_params["error"]

        return await self.templates.TemplateResponse(
            request, model_view.list_template, context
        )

    @login_required
    async def details(self, request: Request) -> Response:
        """Details route."""

        await self._details(request)
        model_view = self._find_model_view(request.path_params["identity"])
        model = await model_view.get_object_for_details(request)

        if not model:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)

        context = {
            **await model_view.details_context(request),
            "model_view": model_view,
            "model": model,
            "title": model_view.name,
        }

        return await self.templates.TemplateResponse(
            request, model_view.details_template, context
        )

    @login_required
    async def delete(self, request: Request) -> Response:
        """Delete route."""

        await self._delete(request)

        identity = request.path_params["identity"]
        model_view = self._find_model_view(identity)

        params = request.query_params.get("pks", "")
        pks = params.split(",") if params else []

        referer_url = URL(request.headers.get("referer", ""))
        referer_params = MultiDict(parse_qsl(referer_url.query))

        try:
            for pk in pks:
                model = await model_view.get_object_for_delete(pk)
                if not model:
                    raise HTTPException(
                        status_code=status.HTTP_404_NOT_FOUND, detail="Object not found"
                    )

                await model_view.delete_model(request, pk)
        except Exception as e:
            logger.exception(e)
            referer_params["error"] = str(e)

        url = URL(str(request.url_for("admin:list", identity=identity)))
        url = url.include_query_params(**referer_params)
        return PlainTextResponse(content=str(url))

    async def _resolve_after_change_response(
        self,
        request: Request,
        context: dict,
        obj: Any,
        template: str,
        identity: str,
    ) -> Response | None:
        """Return an override response from ``after_model_change`` or the
        one-time secret modal, if either is set on ``request.state``."""

        after_response = getattr(request.state, "_sqladmin_after_change_response", None)
        if isinstance(after_response, Response):
            return after_response

        if Secret.get(request) is not None:
            context["obj"] = obj
            context["secret_next_url"] = str(
                request.url_for("admin:list", identity=identity)
            )
            response = await self.templates.TemplateResponse(request, template, context)
            Secret.apply_no_store_headers(response)
            return response

        return None

    @login_required
    async def create(self, request: Request) -> Response:
        """Create model endpoint."""
        await self._create(request)

        identity = request.path_params["identity"]
        model_view = self._find_model_view(identity)

        Form = await model_view.scaffold_form(model_view._form_create_rules)

        create_context = await model_view.create_context(request)

        if request.method == "GET":
            form = Form()
            context = {
                **create_context,
                "model_view": model_view,
                "form": form,
            }
            return await self.templates.TemplateResponse(
                request, model_view.create_template, context
            )

        form_data = await self._handle_form_data(request)
        form = Form(form_data)

        context = {
            **create_context,
            "model_view": model_view,
            "form": form,
        }

        if not form.validate():
            return await self.templates.TemplateResponse(
                request,
                model_view.create_template,
                context,
                status_code=status.HTTP_400_BAD_REQUEST,
            )

        form_data_dict = self._denormalize_wtform_data(form.data, model_view.model)
        try:
            obj = await model_view.insert_model(request, form_data_dict)
        except Exception as e:
            logger.exception(e)
            context["error"] = str(e)
            return await self.templates.TemplateResponse(
                request,
                model_view.create_template,
                context,
                status_code=status.HTTP_400_BAD_REQUEST,
            )

        override = await self._resolve_after_change_response(
            request, context, obj, model_view.create_template, identity
        )
        if override is not None:
            return override

        url = self.get_save_redirect_url(
            request=request,
            form=form_data,
            obj=obj,
            model_view=model_view,
        )
        return RedirectResponse(url=url, status_code=status.HTTP_302_FOUND)

    @login_required
    async def edit(self, request: Request) -> Response:
        """Edit model endpoint."""

        await self._edit(request)

        identity = request.path_params["identity"]
        model_view = self._find_model_view(identity)

        Form = await model_view.scaffold_form(model_view._form_edit_rules)
        model = await model_view.get_object_for_edit(request)
        if not model:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)
        initial_data = await model_view.get_form_data_for_edit(model)
        context = {
            **await model_view.edit_context(request),
            "obj": model,
            "model_view": model_view,
            "form": Form(data=initial_data),
        }

        if request.method == "GET":
            return await self.templates.TemplateResponse(
                request, model_view.edit_template, context
            )

        form_data = await self._handle_form_data(request, model)
        save_as_new = model_view.save_as and _save_button_clicked(
            form_data, "Save as new"
        )
        if save_as_new and not (
            model_view.can_create and await model_view.check_can_create(request)
        ):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        form = Form(form_data)
        context["form"] = form

        if not form.validate():
            return await self.templates.TemplateResponse(
                request,
                model_view.edit_template,
                context,
                status_code=status.HTTP_400_BAD_REQUEST,
            )

        form_data_dict = self._denormalize_wtform_data(form.data, model)
        try:
            if save_as_new:
                obj = await model_view.insert_model(request, form_data_dict)
            else:
                obj = await model_view.update_model(
                    request, pk=request.path_params["pk"], data=form_data_dict
                )
        except Exception as e:
            logger.exception(e)
            context["error"] = str(e)
            return await self.templates.TemplateResponse(
                request,
                model_view.edit_template,
                context,
                status_code=status.HTTP_400_BAD_REQUEST,
            )

        override = await self._resolve_after_change_response(
            request, context, obj, model_view.edit_template, identity
        )
        if override is not None:
            return override

        url = self.get_save_redirect_url(
            request=request,
            form=form_data,
            obj=obj,
            model_view=model_view,
        )
        return RedirectResponse(url=url, status_code=status.HTTP_302_FOUND)

    @login_required
    async def export(self, request: Request) -> Response:
        """Export model endpoint."""

        await self._export(request)

        identity = request.path_params["identity"]
        export_type = request.path_params["export_type"]

        model_view = self._find_model_view(identity)
        rows = await model_view.get_model_objects(
            request=request, limit=model_view.export_max_rows
        )
        return await model_view.export_data(
            rows, export_type=export_type, request=request
        )

    @login_required
    async def import_endpoint(self, request: Request) -> Response:
        """Import model endpoint."""

        await self._import(request)

        identity = request.path_params["identity"]
        model_view = self._find_model_view(identity)

        upload = await handle_import_upload(request, model_view)
        if upload.error:
            return import_error_response(upload.error, upload.status_code)
        if not upload.content:
            return import_error_response(
                "No CSV file uploaded or file does not have a .csv extension."
            )

        return await import_csv(
            request,
            model_view,
            upload.content,
            upload.continue_on_error,
            self._denormalize_wtform_data,
        )

    async def login(self, request: Request) -> Response:
        if self.authentication_backend is None:
            raise HTTPException(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="Authentication backend not configured.",
            )

        context = {}
        if request.method == "GET":
            return await self.templates.TemplateResponse(request, "sqladmin/login.html")

        response = await self.authentication_backend.login(request)
        if not response:
            context["error"] = "Invalid credentials."
            return await self.templates.TemplateResponse(
                request,
                "sqladmin/login.html",
                context,
                status_code=status.HTTP_400_BAD_REQUEST,
            )

        if isinstance(response, Response):
            return response

        return RedirectResponse(
            request.url_for("admin:index"), status_code=status.HTTP_302_FOUND
        )

    async def logout(self, request: Request) -> Response:
        if self.authentication_backend is None:
            raise HTTPException(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="Authentication backend not configured.",
            )

        response = await self.authentication_backend.logout(request)

        if not response:
            return RedirectResponse(
                request.url_for("admin:login"), status_code=status.HTTP_302_FOUND
            )

        if isinstance(response, Response):
            return response

        return RedirectResponse(
            request.url_for("admin:index"), status_code=status.HTTP_302_FOUND
        )

    @login_required
    async def file_download(self, request: Request) -> Response:
        """Download file endpoint."""
        request_path = await self._get_file(request)
        return FileResponse(request_path, filename=request_path.name)

    @login_required
    async def file_preview(self, request: Request) -> Response:
        """Preview file inline."""
        request_path = await self._get_file(request)
        return FileResponse(
            request_path, filename=request_path.name, content_disposition_type="inline"
        )

    @login_required
    async def ajax_lookup(self, request: Request) -> Response:
        """Ajax lookup route."""

        identity = request.path_params["identity"]
        model_view = self._find_model_view(identity)

        if not model_view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        # The lookup serves the create and edit forms; listing alone must not
        # open a way to search the related model.
        can_use_form = (
            model_view.can_create and await model_view.check_can_create(request)
        ) or (model_view.can_edit and model_view.has_permission(request, Action.EDIT))
        if not can_use_form:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        name = request.query_params.get("name")
        term = request.query_params.get("term")

        if not name or not term:
            raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST)

        try:
            loader: QueryAjaxModelLoader = model_view._form_ajax_refs[name]
        except KeyError as exc:
            raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST) from exc

        data = [loader.format(m) for m in await loader.get_list(request, term)]
        return JSONResponse({"results": data})

    @staticmethod
    def get_save_redirect_url(
        request: Request, form: FormData, model_view: ModelView, obj: Any
    ) -> str | URL:
        """
        Get the redirect URL after a save action
        which is triggered from create/edit page.
        """

        identity = request.path_params["identity"]
        identifier = get_object_identifier(obj)

        if _save_button_clicked(form, "Save"):
            url = URL(str(request.url_for("admin:list", identity=identity)))
            if request.url.query:
                url = url.replace(query=request.url.query)
            return url

        if _save_button_clicked(form, "Save and continue editing") or (
            _save_button_clicked(form, "Save as new") and model_view.save_as_continue
        ):
            return request.url_for("admin:edit", identity=identity, pk=identifier)

        return request.url_for("admin:create", identity=identity)

    @staticmethod
    async def _handle_form_data(request: Request, obj: Any = None) -> FormData:
        """
        Handle form data and modify in case of UploadFile.
        This is needed since in edit page
        there's no way to show current file of object.
        """

        form = await request.form()
        form_data: list[tuple[str, str | UploadFile]] = []
        for key, value in form.multi_items():
            if not isinstance(value, UploadFile):
                form_data.append((key, value))
                continue

            should_clear = form.get(key + "_checkbox")
            empty_upload = len(await value.read(1)) != 1
            await value.seek(0)
            if should_clear:
                form_data.append((key, UploadFile(io.BytesIO(b""))))
            elif empty_upload and obj and getattr(obj, key):
                f = getattr(obj, key)  # In case of update, imitate UploadFile
                form_data.append((key, UploadFile(filename=f.name, file=f.open())))
            else:
                form_data.append((key, value))
        return FormData(form_data)

    @staticmethod
    def _normalize_wtform_data(obj: Any) -> dict:
        form_data = {}
        for field_name in WTFORMS_ATTRS:
            if value := getattr(obj, field_name, None):
                form_data[field_name + "_"] = value
        return form_data

    @staticmethod
    def _denormalize_wtform_data(form_data: dict, obj: Any) -> dict:
        data = form_data.copy()
        for field_name in WTFORMS_ATTRS_REVERSED:
            reserved_field_name = field_name[:-1]
            if (
                field_name in data
                and not hasattr(obj, field_name)
                and hasattr(obj, reserved_field_name)
            ):
                data[reserved_field_name] = data.pop(field_name)
        return data


def _is_accessible_required(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator to check the `is_accessible` authorization hook of the view
    a custom endpoint is declared on, mirroring the built-in Admin endpoints.

    Endpoints declared with [`action`][sqladmin.application.action] are
    additionally checked against the authorization backend under the
    ``action:<slug>`` action name.
    """

    @functools.wraps(func)
    async def wrapper_decorator(*args: Any, **kwargs: Any) -> Any:
        view, request = args[0], args[1]
        if not view.is_accessible(request):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        slug = getattr(func, "_slug", None)
        if slug is not None and not view.has_permission(request, custom_action(slug)):
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)

        if inspect.iscoroutinefunction(func):
            return await func(*args, **kwargs)
        return func(*args, **kwargs)

    return wrapper_decorator


def expose(
    path: str,
    *,
    methods: list[str] | None = None,
    identity: str | None = None,
    include_in_schema: bool = True,
) -> Callable[..., Any]:
    """Expose View with information."""

    @no_type_check
    def wrap(func):
        func._exposed = True
        func._path = path
        func._methods = methods or ["GET"]
        func._identity = identity or func.__name__
        func._include_in_schema = include_in_schema
        return login_required(_is_accessible_required(func))

    return wrap


def action(
    name: str,
    label: str | None = None,
    confirmation_message: str | None = None,
    *,
    include_in_schema: bool = True,
    add_in_detail: bool = True,
    add_in_list: bool = True,
) -> Callable[..., Any]:
    """Decorate a [`ModelView`][sqladmin.models.ModelView] function
    with this to:

    * expose it as a custom "action" route
    * add a button to the admin panel to invoke the action

    When invoked from the admin panel, the following query parameter(s) are passed:

    * `pks`: the comma-separated list of selected object PKs - can be empty

    Args:
        name: Unique name for the action - should be alphanumeric, dash and underscore
        label: Human-readable text describing action
        confirmation_message: Message to show before confirming action
        include_in_schema: Indicating if the endpoint be included in the schema
        add_in_detail: Indicating if action should be displayed on model detail page
        add_in_list: Indicating if action should be displayed on model list page
    """

    @no_type_check
    def wrap(func):
        func._action = True
        func._slug = slugify_action_name(name)
        func._label = label if label is not None else name
        func._confirmation_message = confirmation_message
        func._include_in_schema = include_in_schema
        func._add_in_detail = add_in_detail
        func._add_in_list = add_in_list
        return login_required(_is_accessible_required(func))

    return wrap
