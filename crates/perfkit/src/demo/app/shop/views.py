import re

from django.core.mail import send_mail
from django.http import JsonResponse

from .models import Customer, Order


def open_orders(request):
    orders = Order.objects.filter(status="open")
    rows = []
    for order in orders:
        # One query per order: the customer is loaded lazily.
        rows.append({"id": order.id, "customer": order.customer.name})
    return JsonResponse({"orders": rows})


def signup(request):
    email = request.POST["email"]
    pattern = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    if not pattern.match(email):
        return JsonResponse({"error": "invalid email"}, status=400)
    customer = Customer.objects.create(email=email)
    send_mail("Welcome", "Thanks for signing up.", "shop@example.com", [email])
    return JsonResponse({"id": customer.id}, status=201)
