"""The REST API under /api/v1/ (namespace `api`), its OpenAPI schema and its documentation page."""

from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from responsibility.api.endpoints.assessment import AssessmentRoundViewSet
from responsibility.api.endpoints.common import ApiNotFoundView
from responsibility.api.endpoints.duties import DutyAssignmentViewSet
from responsibility.api.endpoints.letters import CampaignViewSet, LetterViewSet
from responsibility.api.endpoints.organisation import OrgImportViewSet
from responsibility.api.endpoints.problem_lists import ProblemListViewSet
from responsibility.api.endpoints.supervision import ProblemViewSet

app_name = "api"

router = SimpleRouter()
router.register("letters", LetterViewSet, basename="letter")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("problems", ProblemViewSet, basename="problem")
router.register("problem-lists", ProblemListViewSet, basename="problem-list-create")
router.register("org-imports", OrgImportViewSet, basename="org-import")
router.register("duty-assignments", DutyAssignmentViewSet, basename="duty-assignment")
router.register("assessment-rounds", AssessmentRoundViewSet, basename="assessment-round")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Never cached, like every page a signed-in person reads (config.middleware.BrowserPolicyMiddleware).
    path("docs/", never_cache(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a 404 in the API's shape, never the pages' HTML one.
    re_path(r"^.*$", ApiNotFoundView.as_view()),
]
