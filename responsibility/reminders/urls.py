"""Reminders: the notification centre and the office's reminder log.

Included in the one `responsibility` namespace (responsibility/urls.py)."""

from django.urls import path

from responsibility.reminders import views as reminders

urlpatterns = [
    path("campaigns/<int:pk>/reminders/", reminders.campaign_reminders_view, name="campaign-reminders"),
    path("notifications/", reminders.notification_list_view, name="notification-list"),
    path("notifications/<int:pk>/read/", reminders.notification_read_view, name="notification-read"),
    path("notifications/read-all/", reminders.notification_read_all_view, name="notification-read-all"),
    # Where reminders reach a person besides email and the bell: their own page, the office's for anybody.
    path("notifications/channels/", reminders.channel_settings_view, name="channel-settings"),
    path("reminders/channels/", reminders.channel_people_view, name="channel-people"),
    path("reminders/channels/<int:pk>/", reminders.channel_person_view, name="channel-person"),
    path("reminders/", reminders.reminder_list_view, name="reminder-list"),
    path("reminders/<int:pk>/resend/", reminders.reminder_resend_view, name="reminder-resend"),
]
