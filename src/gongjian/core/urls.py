from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
]
