"""The to-do page.

Included in the one `responsibility` namespace (responsibility/urls.py)."""

from django.urls import path

from responsibility.home import views as home

urlpatterns = [
    path("", home.todo_view, name="todo"),
]
