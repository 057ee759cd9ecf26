from django.urls import path

from firegrid.org import views

urlpatterns = [
    path("", views.home, name="home"),
]
