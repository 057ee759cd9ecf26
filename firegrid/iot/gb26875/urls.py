from django.urls import path

from firegrid.iot.gb26875 import views

app_name = "gb26875"

urlpatterns = [
    path("iot/gb26875/decode/", views.DecodeView.as_view(), name="decode"),
]
