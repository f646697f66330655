from django.urls import path

from . import views

urlpatterns = [
    path("orders/open/", views.open_orders),
    path("signup/", views.signup),
]
