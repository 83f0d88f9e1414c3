"""Every page of the app, one namespace (`responsibility:`): each subdomain lists its own."""

from responsibility.api.page_urls import urlpatterns as api_urls
from responsibility.assessment.urls import urlpatterns as assessment_urls
from responsibility.cadres.urls import urlpatterns as cadres_urls
from responsibility.duties.urls import urlpatterns as duties_urls
from responsibility.evidence.urls import urlpatterns as evidence_urls
from responsibility.home.urls import urlpatterns as home_urls
from responsibility.letters.urls import urlpatterns as letters_urls
from responsibility.reminders.urls import urlpatterns as reminders_urls
from responsibility.supervision.urls import urlpatterns as supervision_urls
from responsibility.webhooks.urls import urlpatterns as webhooks_urls

app_name = "responsibility"

urlpatterns = [
    *home_urls,
    *letters_urls,
    *reminders_urls,
    *supervision_urls,
    *duties_urls,
    *assessment_urls,
    *cadres_urls,
    *api_urls,
    *webhooks_urls,
    *evidence_urls,
]
