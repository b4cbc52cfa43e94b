from django.urls import path

from . import views_copyright, views_queue, views_reports

app_name = "moderation"
urlpatterns = [
    # Reports (members and guests)
    path("report/item/<pid:public_id>", views_reports.report_item, name="report_item"),
    path("report/comment/<int:comment_id>", views_reports.report_comment, name="report_comment"),
    path("report/user/<str:username>", views_reports.report_user, name="report_user"),
    # In the open
    path("moderation/log", views_reports.moderation_log, name="log"),
    path("me/moderation", views_reports.my_moderation, name="mine"),
    path("me/moderation/appeal/<int:action_id>", views_reports.appeal, name="appeal"),
    path("me/moderation/counter-notice/<int:entry_id>", views_copyright.counter_notice, name="counter_notice"),
    # Copyright
    path("copyright/takedown", views_copyright.takedown, name="takedown"),
    path("copyright/takedown/sent", views_copyright.takedown_sent, name="takedown_sent"),
    # Moderators
    path("moderation/", views_queue.queue, name="queue"),
    path("moderation/bulk", views_queue.bulk_act, name="bulk"),
    path("moderation/case/<int:pk>", views_queue.case_detail, name="case"),
    path("moderation/item/<pid:public_id>", views_queue.item_panel, name="item"),
    path("moderation/comment/<int:comment_id>", views_queue.comment_panel, name="comment"),
    path("moderation/member/<str:username>", views_queue.member_panel, name="member"),
    path("moderation/held", views_queue.held, name="held"),
    path("moderation/hold-uploads", views_queue.hold_uploads, name="hold_uploads"),
    path("moderation/appeals", views_queue.appeals, name="appeals"),
    path("moderation/appeals/<int:pk>", views_queue.appeal_decide_view, name="appeal_decide"),
    path("moderation/copyright", views_queue.copyright_queue, name="copyright"),
    path("moderation/copyright/<int:pk>", views_queue.copyright_decide, name="copyright_decide"),
]
