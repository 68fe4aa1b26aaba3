"""URLs of the staff web UI (namespace "web")."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from advocacy.web.views import (
    advocates,
    content,
    customers,
    dashboard,
    guards,
    imports,
    pipeline,
    plays,
    process,
    references,
)

app_name = "web"
urlpatterns = [
    path("", dashboard.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/auth/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/auth/password_change.html",
            success_url=reverse_lazy("web:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="web/auth/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("accounts/", customers.account_list, name="accounts"),
    path("accounts/<int:pk>/", customers.account_detail, name="account"),
    path("contacts/", customers.contact_list, name="contacts"),
    path("contacts/<int:pk>/", customers.contact_detail, name="contact"),
    path("contacts/<int:pk>/next-ask/", advocates.contact_next_ask, name="contact_next_ask"),
    path("advocates/", advocates.advocate_list, name="advocates"),
    path("advocates/refresh/", advocates.advocates_refresh, name="advocates_refresh"),
    path("plays/", plays.play_list, name="plays"),
    path("plays/<slug:name>/", plays.play_detail, name="play"),
    path("plays/<slug:name>/run/", plays.play_run, name="play_run"),
    path("plays/<slug:name>/simulate/", plays.play_simulate, name="play_simulate"),
    path("playbook/load/", plays.playbook_load, name="playbook_load"),
    path("playbook/run/", plays.playbook_run, name="playbook_run"),
    path("pipeline/", pipeline.board, name="pipeline"),
    path("asks/<int:pk>/", pipeline.ask_detail, name="ask"),
    path("asks/<int:pk>/move/", pipeline.ask_move, name="ask_move"),
    path("asks/<int:pk>/pause/", guards.ask_pause, name="ask_pause"),
    path("asks/<int:pk>/resume/", guards.ask_resume, name="ask_resume"),
    path("asks/<int:pk>/reassign/", guards.ask_reassign, name="ask_reassign"),
    path("contacts/<int:pk>/agreement/", guards.contact_agreement, name="contact_agreement"),
    path("contacts/<int:pk>/opt-out/", guards.contact_opt_out, name="contact_opt_out"),
    path("agreements/<int:pk>/end/", guards.agreement_end, name="agreement_end"),
    path("asks/<int:pk>/steps/<int:position>/", process.ask_step_done, name="ask_step_done"),
    path("pipeline/escalate/", process.escalate, name="escalate"),
    path("routing/", process.routing, name="routing"),
    path("routing/apply/", process.routing_apply, name="routing_apply"),
    path("routing/<int:pk>/", process.routing_edit, name="routing_edit"),
    path("routing/<int:pk>/delete/", process.routing_delete, name="routing_delete"),
    path("checklists/", process.checklists, name="checklists"),
    path("checklists/<slug:code>/", process.checklist, name="checklist"),
    path("content/", content.library, name="content"),
    path("content/new/", content.asset_new, name="asset_new"),
    path("content/expiry/", content.content_expiry, name="content_expiry"),
    path("content/<int:pk>/", content.asset_detail, name="asset"),
    path("content/<int:pk>/edit/", content.asset_edit, name="asset_edit"),
    path("content/<int:pk>/move/", content.asset_move, name="asset_move"),
    path("content/<int:pk>/consent/", content.asset_consent, name="asset_consent"),
    path("content/<int:pk>/use/", content.asset_use, name="asset_use"),
    path("content/<int:pk>/preview/", content.asset_preview, name="asset_preview"),
    path("content/<int:pk>/pdf/", content.asset_pdf, name="asset_pdf"),
    path("references/", references.desk_page, name="references"),
    path("references/new/", references.request_new, name="reference_new"),
    path("references/<int:pk>/", references.request_detail, name="reference"),
    path("references/<int:pk>/offer/", references.request_offer, name="reference_offer"),
    path("references/<int:pk>/result/", references.request_result, name="reference_result"),
    path("references/<int:pk>/close/", references.request_close, name="reference_close"),
    path(
        "references/offers/<int:pk>/respond/",
        references.offer_respond,
        name="reference_respond",
    ),
    path(
        "references/offers/<int:pk>/schedule/",
        references.offer_schedule,
        name="reference_schedule",
    ),
    path("references/calls/<int:pk>/invite.ics", references.call_invite, name="reference_invite"),
    path("references/calls/<int:pk>/outcome/", references.call_outcome, name="reference_outcome"),
    path("imports/", imports.import_list, name="imports"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", imports.import_commit, name="import_commit"),
    path("imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/errors.csv", imports.import_errors, name="import_errors"),
]
