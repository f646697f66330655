"""
django-helpdesk - A Django powered ticket tracker for small enterprise.

(c) Copyright 2008 Jutda. All Rights Reserved. See LICENSE for details.

urls.py - Mapping of URL's to our various views. Note we always used NAMED
          views for simplicity in linking later on.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from rest_framework.routers import DefaultRouter

from helpdesk import settings as helpdesk_settings
from helpdesk.decorators import helpdesk_staff_member_required, protect_view
from helpdesk.views import feeds, public, staff
from helpdesk.views.api import (
    CreateUserView,
    FollowUpAttachmentViewSet,
    FollowUpViewSet,
    TicketViewSet,
    UserTicketViewSet,
)
from helpdesk.views.auth import (
    login,
    logout,
    password_change,
    password_change_done,
    password_reset,
    password_reset_complete,
    password_reset_confirm,
    password_reset_done,
)

if helpdesk_settings.HELPDESK_KB_ENABLED:
    from helpdesk.views import kb

# Importing the module is the side effect: that is what registers the
# @shared_task it defines, for projects that do not rely on Celery's own
# autodiscover_tasks(). Celery is an optional extra, so its absence is not an
# error, there is simply no task to register.
try:
    import helpdesk.tasks  # NOQA
except ImportError:
    pass


class DirectTemplateView(TemplateView):
    extra_context = None

    def get_context_data(self, **kwargs):
        context = super(self.__class__, self).get_context_data(**kwargs)
        if self.extra_context is not None:
            for key, value in self.extra_context.items():
                if callable(value):
                    context[key] = value()
                else:
                    context[key] = value
        return context


app_name = "helpdesk"

base64_pattern = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
urlpatterns = []

if helpdesk_settings.HELPDESK_UI_ENABLED:
    urlpatterns += [
        path("dashboard/", staff.dashboard, name="dashboard"),
        path("tickets/", staff.ticket_list, name="list"),
        path("tickets/update/", staff.mass_update, name="mass_update"),
        path("tickets/merge", staff.merge_tickets, name="merge_tickets"),
        path("tickets/<int:ticket_id>/", staff.view_ticket, name="view"),
        path(
            "tickets/<int:ticket_id>/followup_edit/<int:followup_id>/",
            staff.followup_edit,
            name="followup_edit",
        ),
        path(
            "tickets/<int:ticket_id>/followup_delete/<int:followup_id>/",
            staff.followup_delete,
            name="followup_delete",
        ),
        path("tickets/<int:ticket_id>/edit/", staff.edit_ticket, name="edit"),
        path(
            "tickets/<int:ticket_id>/update/", staff.update_ticket_view, name="update"
        ),
        path("tickets/<int:ticket_id>/delete/", staff.delete_ticket, name="delete"),
        path("tickets/<int:ticket_id>/hold/", staff.hold_ticket, name="hold"),
        path("tickets/<int:ticket_id>/unhold/", staff.unhold_ticket, name="unhold"),
        path("tickets/<int:ticket_id>/cc/", staff.ticket_cc, name="ticket_cc"),
        path(
            "tickets/<int:ticket_id>/cc/add/", staff.ticket_cc_add, name="ticket_cc_add"
        ),
        path(
            "tickets/<int:ticket_id>/cc/delete/<int:cc_id>/",
            staff.ticket_cc_del,
            name="ticket_cc_del",
        ),
        path(
            "tickets/<int:ticket_id>/resolves/add/",
            staff.ticket_resolves_add,
            name="ticket_resolves_add",
        ),
        path(
            "tickets/<int:ticket_id>/resolves/delete/<int:dependency_id>/",
            staff.ticket_resolves_del,
            name="ticket_resolves_del",
        ),
        path(
            "tickets/<int:ticket_id>/attachment_delete/<int:attachment_id>/",
            staff.attachment_del,
            name="attachment_del",
        ),
        path(
            "tickets/<int:ticket_id>/attachment_preview/<int:attachment_id>/",
            staff.attachment_preview,
            name="attachment_preview",
        ),
        path(
            "tickets/<int:ticket_id>/checklists/<int:checklist_id>/",
            staff.edit_ticket_checklist,
            name="edit_ticket_checklist",
        ),
        path(
            "tickets/<int:ticket_id>/checklists/<int:checklist_id>/delete/",
            staff.delete_ticket_checklist,
            name="delete_ticket_checklist",
        ),
        re_path(r"^raw/(?P<type_>\w+)/$", staff.raw_details, name="raw"),
        path("rss/", staff.rss_list, name="rss_index"),
        path("reports/", staff.report_index, name="report_index"),
        path("reports/<slug:report>/", staff.run_report, name="run_report"),
        path("saved-searches/", staff.saved_searches_list, name="saved_searches_list"),
        path("save_query/", staff.save_query, name="savequery"),
        path("delete_query/<int:pk>/", staff.delete_saved_query, name="delete_query"),
        path("settings/", staff.EditUserSettingsView.as_view(), name="user_settings"),
        path("ignore/", staff.email_ignore, name="email_ignore"),
        path("ignore/add/", staff.email_ignore_add, name="email_ignore_add"),
        path(
            "ignore/delete/<int:item_id>/",
            staff.email_ignore_del,
            name="email_ignore_del",
        ),
        path(
            "checklist-templates/",
            staff.checklist_templates,
            name="checklist_templates",
        ),
        path(
            "checklist-templates/<int:checklist_template_id>/",
            staff.checklist_templates,
            name="edit_checklist_template",
        ),
        path(
            "checklist-templates/<int:checklist_template_id>/delete/",
            staff.delete_checklist_template,
            name="delete_checklist_template",
        ),
        re_path(
            rf"^datatables_ticket_list/(?P<query>{base64_pattern})$",
            staff.datatables_ticket_list,
            name="datatables_ticket_list",
        ),
        re_path(
            rf"^timeline_ticket_list/(?P<query>{base64_pattern})$",
            staff.timeline_ticket_list,
            name="timeline_ticket_list",
        ),
        path("", protect_view(public.Homepage.as_view()), name="home"),
        path(
            "tickets/my-tickets/",
            protect_view(public.MyTickets.as_view()),
            name="my-tickets",
        ),
        path("tickets/submit/", public.create_ticket, name="submit"),
        path(
            "tickets/submit_iframe/",
            protect_view(public.CreateTicketIframeView.as_view()),
            name="submit_iframe",
        ),
        path(
            "tickets/success_iframe/",  # Ticket was submitted successfully
            protect_view(public.SuccessIframeView.as_view()),
            name="success_iframe",
        ),
        path("view/", protect_view(public.ViewTicket.as_view()), name="public_view"),
        path("change_language/", public.change_language, name="public_change_language"),
    ]
    if helpdesk_settings.HELPDESK_KANBAN_ENABLED:
        urlpatterns += [
            path("kanban/", staff.kanban_board, name="kanban"),
            path(
                "tickets/<int:ticket_id>/kanban-update/",
                staff.kanban_update_ticket,
                name="kanban_update",
            ),
        ]
    if helpdesk_settings.HELPDESK_ENABLE_DEPENDENCIES_ON_TICKET:
        urlpatterns += [
            path(
                "tickets/<int:ticket_id>/dependency/add/",
                staff.ticket_dependency_add,
                name="ticket_dependency_add",
            ),
            path(
                "tickets/<int:ticket_id>/dependency/delete/<int:dependency_id>/",
                staff.ticket_dependency_del,
                name="ticket_dependency_del",
            ),
        ]

urlpatterns += [
    re_path(
        r"^rss/user/(?P<user_name>[^/]+)/",
        helpdesk_staff_member_required(feeds.OpenTicketsByUser()),
        name="rss_user",
    ),
    re_path(
        r"^rss/user/(?P<user_name>[^/]+)/(?P<queue_slug>[A-Za-z0-9_-]+)/$",
        helpdesk_staff_member_required(feeds.OpenTicketsByUser()),
        name="rss_user_queue",
    ),
    re_path(
        r"^rss/queue/(?P<queue_slug>[A-Za-z0-9_-]+)/$",
        helpdesk_staff_member_required(feeds.OpenTicketsByQueue()),
        name="rss_queue",
    ),
    path(
        "rss/unassigned/",
        helpdesk_staff_member_required(feeds.UnassignedTickets()),
        name="rss_unassigned",
    ),
    path(
        "rss/recent_activity/",
        helpdesk_staff_member_required(feeds.RecentFollowUps()),
        name="rss_activity",
    ),
]


KNOWLEDGE_BASE_PATTERNS = [
    path("kb/", kb.index, name="kb_index"),
    path("kb/<slug:slug>/", kb.category, name="kb_category"),
    path("kb_iframe/<slug:slug>/", kb.category_iframe, name="kb_category_iframe"),
    path("kb/<int:item_id>/vote/<str:vote>/", kb.vote, name="kb_vote"),
]

if helpdesk_settings.HELPDESK_KB_ENABLED:
    urlpatterns += KNOWLEDGE_BASE_PATTERNS


if helpdesk_settings.HELPDESK_API_ENABLED:
    router = DefaultRouter()
    router.register(r"tickets", TicketViewSet, basename="ticket")
    router.register(r"user_tickets", UserTicketViewSet, basename="user_tickets")
    router.register(r"followups", FollowUpViewSet, basename="followups")
    router.register(
        r"followups-attachments",
        FollowUpAttachmentViewSet,
        basename="followupattachments",
    )
    router.register(r"users", CreateUserView, basename="user")
    urlpatterns += [path("api/", include(router.urls))]


AUTH_PATTERNS = [
    path("login/", login, name="login"),
    path("logout/", logout, name="logout"),
    path("password_change/", password_change, name="password_change"),
    path("password_change/done/", password_change_done, name="password_change_done"),
]

PASSWORD_RESET_PATTERNS = [
    path("password-reset/", password_reset, name="password_reset"),
    path("password-reset/done/", password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset-complete/",
        password_reset_complete,
        name="password_reset_complete",
    ),
]


urlpatterns += AUTH_PATTERNS

if helpdesk_settings.HELPDESK_ENABLE_PASSWORD_RESET:
    urlpatterns += PASSWORD_RESET_PATTERNS

urlpatterns += [
    path(
        "help/context/",
        TemplateView.as_view(template_name="helpdesk/help_context.html"),
        name="help_context",
    ),
    path(
        "system_settings/",
        login_required(
            DirectTemplateView.as_view(template_name="helpdesk/system_settings.html")
        ),
        name="system_settings",
    ),
]
